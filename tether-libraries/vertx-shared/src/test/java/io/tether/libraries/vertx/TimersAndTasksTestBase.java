package io.tether.libraries.vertx;

import static io.tether.libraries.vertx.VertxTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Sightings;
import io.tether.testing.Waits;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.ref.WeakReference;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Timers, {@code runOnContext} and {@code executeBlocking} run their handlers in the context of the
 * code that set them up, from a plain thread or from an event loop, and a Vertx instance keeps
 * nothing of the context it was created in.
 *
 * <p>The tests both Vert.x modules run: each module's {@code TimersAndTasksTest} extends this
 * class, with the tests of its own Vert.x's API, if any.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
abstract class TimersAndTasksTestBase {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  static Vertx vertx;
  final Sightings seen = new Sightings(VertxTests.REQUEST);

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    VertxTests.close(vertx);
  }

  @Test
  void setTimer_fromOutsideAndInsideAnEventLoop_runsInTheSettersContext()
      throws InterruptedException {
    REQUEST.run("x", () -> vertx.setTimer(20, id -> seen.record("x")));
    REQUEST.run("y", () -> vertx.setTimer(1, id -> seen.record("y")));
    vertx.setTimer(1, id -> seen.record("none"));
    vertx.runOnContext(
        v -> {
          REQUEST.run("z", () -> vertx.setTimer(10, id -> seen.record("z")));
          REQUEST.run("w", () -> vertx.setTimer(1, id -> seen.record("w")));
        });
    assertThat(seen.await(5)).containsExactlyInAnyOrder("x=x", "y=y", "none=null", "z=z", "w=w");
  }

  @Test
  void setPeriodic_runsEveryTimeInTheSettersContext() throws InterruptedException {
    Sightings x = new Sightings(VertxTests.REQUEST);
    Sightings y = new Sightings(VertxTests.REQUEST);
    long[] timers = new long[2];
    CountDownLatch set = new CountDownLatch(1);
    timers[0] = REQUEST.run("x", () -> vertx.setPeriodic(1, 2, id -> x.record("x")));
    vertx.runOnContext(
        v -> {
          timers[1] = REQUEST.run("y", () -> vertx.setPeriodic(2, id -> y.record("y")));
          set.countDown();
        });
    try {
      assertThat(x.await(3)).containsOnly("x=x");
      assertThat(y.await(3)).containsOnly("y=y");
    } finally {
      Waits.await(set);
      vertx.cancelTimer(timers[0]);
      vertx.cancelTimer(timers[1]);
    }
  }

  @Test
  void runOnContext_fromOutsideAndInsideAnEventLoop_runsInTheCallersContext()
      throws InterruptedException {
    Context context = vertx.getOrCreateContext();
    REQUEST.run("x", () -> vertx.runOnContext(v -> seen.record("x")));
    REQUEST.run("y", () -> context.runOnContext(v -> seen.record("y")));
    context.runOnContext(
        v -> {
          seen.record("none");
          REQUEST.run("z", () -> context.runOnContext(w -> seen.record("z")));
          REQUEST.run("w", () -> vertx.runOnContext(w -> seen.record("w")));
        });
    assertThat(seen.await(5)).containsExactlyInAnyOrder("x=x", "y=y", "none=null", "z=z", "w=w");
  }

  /**
   * Ordered blocking tasks of one context share its task queue: the second, queued while the first
   * blocks, still runs in its own submitter's context, as do both results' handlers.
   */
  @Test
  void executeBlocking_orderedAndNot_runsTaskAndResultInTheSubmittersContext() throws Exception {
    Context context = vertx.getOrCreateContext();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch submitted = new CountDownLatch(1);
    context.runOnContext(
        v -> {
          REQUEST.run(
              "x",
              () ->
                  vertx
                      .executeBlocking(
                          () -> {
                            seen.record("x-task");
                            Waits.await(release);
                            return "x";
                          },
                          true)
                      .onComplete(result -> seen.record("x-result")));
          REQUEST.run(
              "y",
              () ->
                  vertx
                      .executeBlocking(
                          () -> {
                            seen.record("y-task");
                            return "y";
                          },
                          true)
                      .onComplete(result -> seen.record("y-result")));
          submitted.countDown();
        });
    Waits.await(submitted);
    Future<String> unordered =
        REQUEST.run(
            "z",
            () ->
                vertx.executeBlocking(
                    () -> {
                      seen.record("z-task");
                      return "z";
                    },
                    false));
    REQUEST.run("w", () -> unordered.onSuccess(value -> seen.record("w-result")));
    assertThat(VertxTests.await(unordered)).isEqualTo("z");
    release.countDown();
    assertThat(seen.await(6))
        .containsExactlyInAnyOrder(
            "x-task=x", "x-result=x", "y-task=y", "y-result=y", "z-task=z", "w-result=w");
  }

  /**
   * Undeploying a verticle while its ordered blocking task runs: Vert.x interrupts the task's
   * thread and completes the undeployment only once the task has ended, taking the task it finds
   * active in the context's queue for its own task class. Tether's link must leave that task its
   * class: with a wrapper in its place Vert.x failed there, silently, and the undeployment
   * completed while the task still ran. The task still runs in its submitter's context.
   * (OpenTelemetry's agent, alone, wraps the task too and makes the undeployment complete early:
   * the runs beside it leave this test out.)
   */
  @Test
  @org.junit.jupiter.api.Tag("changed-by-opentelemetry")
  void undeployedWhileABlockingTaskRuns_completesAfterTheInterruptedTaskEnds() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch undeployed = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<String> whenInterrupted =
        new java.util.concurrent.atomic.AtomicReference<>();
    String id =
        VertxTests.await(
            vertx.deployVerticle(
                new io.vertx.core.AbstractVerticle() {
                  @Override
                  public void start() {
                    REQUEST.run(
                        "v",
                        () ->
                            vertx.executeBlocking(
                                () -> {
                                  seen.record("task");
                                  running.countDown();
                                  try {
                                    new CountDownLatch(1).await(); // until interrupted
                                  } catch (InterruptedException e) {
                                    // Bounded: the undeployment must not complete meanwhile.
                                    whenInterrupted.set(
                                        undeployed.await(1, java.util.concurrent.TimeUnit.SECONDS)
                                            ? "undeployed while the task ran"
                                            : "still undeploying");
                                  }
                                  return null;
                                },
                                true));
                  }
                }));
    Waits.await(running);
    Future<Void> undeployment = vertx.undeploy(id).onComplete(r -> undeployed.countDown());
    VertxTests.await(undeployment);
    assertThat(whenInterrupted.get()).isEqualTo("still undeploying");
    assertThat(seen.await(1)).containsExactly("task=v");
  }

  /**
   * A Vertx instance created inside a context (its blocked thread checker's thread and task start
   * then) holds nothing of it: once the code that created it is done, its store is collectable
   * while the instance lives, and the instance's timers set from outside any context see none.
   */
  @Test
  void vertxCreatedInsideAContext_keepsNothingOfIt() throws Exception {
    Object[] store = {new Object()};
    WeakReference<Object> watch = new WeakReference<>(store[0]);
    AsyncLocalStorageHolder holder = new AsyncLocalStorageHolder();
    Vertx created = holder.storage.run(store[0], () -> Vertx.vertx());
    try {
      created.setTimer(1, id -> seen.record("timer"));
      created.runOnContext(v -> seen.record("task"));
      assertThat(seen.await(2)).containsExactlyInAnyOrder("timer=null", "task=null");
      store[0] = null;
      for (int i = 0; i < 50 && watch.get() != null; i++) {
        System.gc();
        Thread.sleep(20); // a GC round, not a wait for Tether: the loop checks what it waits for
      }
      assertThat(watch.get()).as("the creator's store, with the instance alive").isNull();
    } finally {
      VertxTests.close(created);
    }
  }

  /** A storage of its own, so that only the creation's value is watched. */
  private static final class AsyncLocalStorageHolder {
    final io.tether.AsyncLocalStorage<Object> storage =
        new io.tether.AsyncLocalStorage<>("creator");
  }
}
