package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.ResourceTypes;
import io.tether.internal.ExecutionState;
import io.tether.internal.TaskLinks;
import io.tether.internal.WovenCalls;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Links of {@code FutureTask}s and fork/join tasks ({@code RecursiveAction} here; {@code
 * RecursiveTask} and {@code CountedCompleter} alike) in the field the agent gives those classes
 * (when they load after Tether's agent: always when it is attached alone; after a peer agent that
 * loaded them first, the weak map holds their links, and these tests check the same behaviour
 * there): a pending task holds its link until it runs in it; further links of one task wait behind
 * the first, run oldest first, drop newest first; scheduled tasks keep theirs in the map; and
 * attachers racing takers lose no link and hand none out twice.
 */
@ExtendWith(AgentAttached.class)
@Timeout(30)
class TaskFieldLinksTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private static final boolean ALONE = PeerAgentTest.PEER.equals("none");

  /** The link in the agent's field of {@code task}, or null; fails alone without the field. */
  private static Object field(Object task) throws Exception {
    java.lang.reflect.Field field;
    try {
      field =
          (task instanceof ForkJoinTask
                  ? RecursiveAction.class
                  : task instanceof FutureTask ? FutureTask.class : task.getClass())
              .getField("tether$link");
    } catch (NoSuchFieldException e) {
      assertThat(ALONE)
          .as("the field is missing only where a peer agent loaded the class")
          .isFalse();
      return null;
    }
    return field.get(task);
  }

  private static boolean hasField(Class<?> type) {
    try {
      type.getField("tether$link");
      return true;
    } catch (NoSuchFieldException e) {
      return false;
    }
  }

  private static Supplier<Object> task(String kind) {
    switch (kind) {
      case "FutureTask":
        return () -> new FutureTask<>(() -> null);
      case "PlainTask":
        return TaskFieldLinksTest::plainTask;
      default:
        return () -> action(() -> {});
    }
  }

  /** A task of the application's: an anonymous {@code Runnable}, given the field at its load. */
  private static Runnable plainTask() {
    return new Runnable() {
      @Override
      public void run() {}
    };
  }

  @Test
  void plainTasksOfTheApplication_haveTheField_othersNot() {
    if (ALONE) { // a peer agent first may give the class an interface of its own: no longer plain
      assertThat(plainTask()).isInstanceOf(io.tether.internal.LinkHolder.class);
      assertThat(hasField(plainTask().getClass())).isTrue();
      assertThat(hasField(PlainBase.class)).isTrue();
    }
    assertThat(hasField(SerializableTask.class))
        .as("another interface: maybe serializable")
        .isFalse();
    assertThat(TaskSubclass.class.getDeclaredFields())
        .as("not a subclass of Object: its field is its base's")
        .noneMatch(f -> f.getName().equals("tether$link"));
    Runnable lambda = () -> {};
    assertThat(lambda).isNotInstanceOf(io.tether.internal.LinkHolder.class);
  }

  @SuppressWarnings("serial")
  static final class SerializableTask implements Runnable, java.io.Serializable {
    @Override
    public void run() {}
  }

  static class PlainBase implements Runnable {
    @Override
    public void run() {}
  }

  static final class TaskSubclass extends PlainBase {}

  /**
   * A plain task linked as periodic (a library's scheduler running it again and again): its link
   * waits in the map, where runs only read it, until the task is dropped; then the next plain
   * task's link is in its field again.
   */
  @Test
  void aPlainTaskLinkedPeriodic_keepsItsLinkInTheMap_untilDropped() throws Exception {
    Runnable task = plainTask();
    REQUEST.run(
        "periodic",
        () ->
            TaskLinks.linkTask(task, ResourceTypes.SCHEDULED_TASK, true, ExecutionState.current()));
    assertThat(field(task)).as("not in the field").isNull();
    for (int i = 0; i < 2; i++) {
      Object begun = WovenCalls.beginTask(task);
      assertThat(REQUEST.getStore()).isEqualTo("periodic");
      WovenCalls.endTask(begun);
      assertThat(TaskLinks.isLinked(task)).as("still linked after run %d", i).isTrue();
    }
    TaskLinks.dropTask(task);
    assertThat(TaskLinks.isLinked(task)).isFalse();

    Runnable next = plainTask();
    REQUEST.run("next", () -> link(next));
    if (hasField(next.getClass())) {
      assertThat(field(next)).as("back in the field").isNotNull();
    }
    TaskLinks.dropTask(next);
  }

  /**
   * A {@code FutureTask} (what {@code submit} makes) and an application's anonymous task, executed
   * and pending behind a busy worker, hold their link in their field until they run in it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"FutureTask", "PlainTask"})
  void anExecutedTask_holdsItsLinkInItsField_untilItRunsInIt(String kind) throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    try {
      occupyTheOnlyWorker(pool, release);
      AtomicReference<String> seen = new AtomicReference<>();
      CountDownLatch ran = new CountDownLatch(1);
      Runnable body =
          () -> {
            seen.set(REQUEST.getStore());
            ran.countDown();
          };
      Runnable task =
          kind.equals("FutureTask")
              ? new FutureTask<>(body, null)
              : new Runnable() {
                @Override
                public void run() {
                  body.run();
                }
              };
      REQUEST.run("pending", () -> pool.execute(task));

      // TransmittableThreadLocal's agent, as a peer, hands the pool a wrapper of its own instead
      assertThat(TaskLinks.isLinked(task)).isEqualTo(!PeerAgentTest.TTL);
      Class<?> withField = task instanceof FutureTask ? FutureTask.class : task.getClass();
      if (!PeerAgentTest.TTL && (ALONE || hasField(withField))) {
        assertThat(field(task)).as("the link, in the task's field").isNotNull();
      }
      release.countDown();
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(seen.get()).isEqualTo("pending");
      assertThat(field(task)).as("taken by the run").isNull();
      assertThat(TaskLinks.isLinked(task)).isFalse();
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void aForkJoinTaskSubmittedAndPending_holdsItsLinkInItsField_untilItRunsInIt() throws Exception {
    assertThat(ForkJoinTask.adapt(() -> {}))
        .as("not every fork/join task: CompletableFuture's stages are some")
        .isNotInstanceOf(io.tether.internal.LinkHolder.class);
    ForkJoinPool pool = new ForkJoinPool(1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      occupyTheOnlyWorker(pool, release);
      AtomicReference<String> seen = new AtomicReference<>();
      ForkJoinTask<?> task = action(() -> seen.set(REQUEST.getStore()));
      REQUEST.run("pending", () -> pool.execute(task));

      assertThat(TaskLinks.isLinked(task)).isTrue();
      if (ALONE || hasField(RecursiveAction.class)) {
        assertThat(field(task)).as("the link, in the task's field").isNotNull();
      }
      release.countDown();
      task.get(10, TimeUnit.SECONDS);
      assertThat(seen.get()).isEqualTo("pending");
      assertThat(TaskLinks.isLinked(task)).as("taken by the run").isFalse();
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  /**
   * A task linked again while its first link waits (a future executed twice, a fork/join task
   * forked again too early): the later links wait in the map behind the field's, runs take them
   * oldest first, and a drop takes the newest; once the map holds none, the next link of any such
   * task is in its field again.
   */
  @ParameterizedTest
  @ValueSource(strings = {"FutureTask", "ForkJoinTask", "PlainTask"})
  void furtherLinksOfATask_waitBehindTheFirst_oldestRunFirst_newestDropped(String kind)
      throws Exception {
    Object task = task(kind).get();
    for (String request : List.of("first", "second", "third")) {
      REQUEST.run(request, () -> link(task));
    }
    TaskLinks.dropTask(task);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Object begun = WovenCalls.beginTask(task);
      seen.add(REQUEST.getStore());
      WovenCalls.endTask(begun);
    }
    assertThat(seen).containsExactly("first", "second");
    assertThat(TaskLinks.isLinked(task)).isFalse();
    assertThat(REQUEST.getStore()).isNull();

    Object next = task(kind).get();
    REQUEST.run("next", () -> link(next));
    if (ALONE) {
      assertThat(field(next)).as("back in the field").isNotNull();
    }
    TaskLinks.dropTask(next);
    assertThat(TaskLinks.isLinked(next)).isFalse();
  }

  @Test
  void aPeriodicTask_keepsItsLinkInTheMap_acrossItsRuns() throws Exception {
    ScheduledExecutorService pool = Executors.newSingleThreadScheduledExecutor();
    try {
      CountDownLatch twice = new CountDownLatch(2);
      List<String> seen = Collections.synchronizedList(new ArrayList<>());
      ScheduledFuture<?> periodic =
          REQUEST.call(
              "periodic",
              () ->
                  pool.scheduleAtFixedRate(
                      () -> {
                        seen.add(REQUEST.getStore());
                        twice.countDown();
                      },
                      0,
                      1,
                      TimeUnit.MILLISECONDS));
      assertThat(twice.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(TaskLinks.isLinked(periodic)).as("still linked between runs").isTrue();
      if (ALONE) {
        assertThat(field(periodic)).as("not in the field: in the map").isNull();
      }
      periodic.cancel(false);
      assertThat(TaskLinks.isLinked(periodic)).isFalse();
      assertThat(seen).hasSizeGreaterThanOrEqualTo(2).containsOnly("periodic");
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /**
   * Two threads link tasks (each twice a task) while a third takes their links to run: every link
   * is taken exactly once, none lost, none twice, whichever order the field's and the map's
   * compare-and-sets meet in.
   */
  @ParameterizedTest
  @ValueSource(strings = {"FutureTask", "ForkJoinTask", "PlainTask"})
  void attachersRacingTakers_loseNoLink_andHandNoneOutTwice(String kind) throws Exception {
    int tasks = 10_000;
    int links = 4; // two attachers, two each
    List<Object> all = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      all.add(task(kind).get());
    }
    Set<Object> taken = Collections.newSetFromMap(new IdentityHashMap<>());
    AtomicReference<Throwable> failed = new AtomicReference<>();
    java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
    Runnable attach =
        () -> {
          try {
            for (Object task : all) {
              together.await(10, TimeUnit.SECONDS); // both attach the same task at once
              for (int l = 0; l < links / 2; l++) {
                REQUEST.run("r", () -> link(task));
              }
            }
          } catch (Throwable t) {
            failed.set(t);
          }
        };
    Thread attacher = new Thread(attach);
    Thread another = new Thread(attach);
    attacher.start();
    another.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int count = 0;
    for (Object task : all) {
      int mine = 0;
      while (mine < links && System.nanoTime() < deadline) {
        Object begun = WovenCalls.beginTask(task);
        if (begun != null) {
          assertThat(taken.add(begun)).as("a link handed out twice").isTrue();
          mine++;
          count++;
        }
        WovenCalls.endTask(begun);
      }
    }
    attacher.join();
    another.join();
    assertThat(failed.get()).isNull();
    assertThat(count).as("links taken of those attached").isEqualTo(tasks * links);
    for (Object task : all) {
      assertThat(TaskLinks.isLinked(task)).isFalse();
    }
  }

  /** A fork/join task of a class with the field, running {@code body}. */
  @SuppressWarnings("serial") // never serialized
  private static RecursiveAction action(Runnable body) {
    return new RecursiveAction() {
      @Override
      protected void compute() {
        body.run();
      }
    };
  }

  private static void link(Object task) {
    TaskLinks.linkTask(task, ResourceTypes.EXECUTOR_TASK, false, ExecutionState.current());
  }

  /** Keeps the pool's only worker busy until {@code release} counts down; returns once it is. */
  private static void occupyTheOnlyWorker(ExecutorService pool, CountDownLatch release)
      throws InterruptedException {
    CountDownLatch busy = new CountDownLatch(1);
    pool.execute(
        () -> {
          busy.countDown();
          awaitQuietly(release);
        });
    assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
