package io.tether.internal;

import static io.tether.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncLocalStorage;
import io.tether.CleanCoreState;
import io.tether.ResourceTypes;
import io.tether.testing.NoContextLeft;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The links the agent attaches to task objects ({@link TaskLinks#linkTask}, {@link TaskRuns#begin},
 * {@link TaskLinks#dropTask}): one link is the map's value itself, several share a slot; whichever
 * way, every link attached is taken exactly once, in order, also when attachers and takers of one
 * task object race.
 */
@Timeout(30)
@ExtendWith({NoContextLeft.class, CleanCoreState.class})
class TaskLinksTest {

  private static final AsyncLocalStorage<Integer> SUBMISSION = new AsyncLocalStorage<>();

  @Test
  void linksOfOneTask_areTakenOldestFirst_andTheTaskIsUnlinkedAfterTheLast() {
    Object task = new Object();
    for (int i = 1; i <= 3; i++) {
      SUBMISSION.run(
          i,
          () ->
              TaskLinks.linkTask(
                  task, ResourceTypes.EXECUTOR_TASK, false, ExecutionState.current()));
    }
    assertThat(TaskLinks.isLinked(task)).isTrue();
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Link begun = TaskRuns.begin(task);
      seen.add(SUBMISSION.getStore());
      TaskRuns.end(begun, ExecutionState.current(), true);
    }
    assertThat(seen).containsExactly(1, 2, 3);
    assertThat(TaskLinks.isLinked(task)).isFalse();
    assertThat(TaskRuns.begin(task)).as("nothing left to run").isNull();
  }

  @Test
  void dropTask_detachesTheNewestLink() {
    Object task = new Object();
    SUBMISSION.run(
        1,
        () ->
            TaskLinks.linkTask(task, ResourceTypes.EXECUTOR_TASK, false, ExecutionState.current()));
    SUBMISSION.run(
        2,
        () ->
            TaskLinks.linkTask(task, ResourceTypes.EXECUTOR_TASK, false, ExecutionState.current()));
    TaskLinks.dropTask(task);
    Link begun = TaskRuns.begin(task);
    assertThat(SUBMISSION.getStore()).isEqualTo(1);
    TaskRuns.end(begun, ExecutionState.current(), true);
    assertThat(TaskLinks.isLinked(task)).isFalse();
  }

  @Test
  void periodicLink_staysAttachedAcrossRuns_untilDropped() {
    Object task = new Object();
    SUBMISSION.run(
        7,
        () ->
            TaskLinks.linkTask(task, ResourceTypes.SCHEDULED_TASK, true, ExecutionState.current()));
    for (int run = 0; run < 3; run++) {
      Link begun = TaskRuns.begin(task);
      assertThat(SUBMISSION.getStore()).isEqualTo(7);
      TaskRuns.end(begun, ExecutionState.current(), false);
    }
    assertThat(TaskLinks.isLinked(task)).isTrue();
    TaskLinks.dropTask(task);
    assertThat(TaskLinks.isLinked(task)).isFalse();
  }

  /**
   * Four threads attach links to the same few task objects while four others take and run them:
   * every submission runs exactly once, in its own context, and no link is left behind.
   */
  @Test
  void racingAttachersAndTakers_loseAndDuplicateNothing() throws Exception {
    Object[] tasks = {new Object(), new Object(), new Object()};
    int perAttacher = 20_000;
    int attachers = 4;
    int total = perAttacher * attachers;
    AtomicInteger[] runs = new AtomicInteger[total];
    for (int i = 0; i < total; i++) {
      runs[i] = new AtomicInteger();
    }
    ConcurrentLinkedQueue<Object> ready = new ConcurrentLinkedQueue<>();
    AtomicInteger taken = new AtomicInteger();
    AtomicInteger wrongContext = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int a = 0; a < attachers; a++) {
      int first = a * perAttacher;
      threads.add(
          new Thread(
              () -> {
                await(start);
                for (int i = first; i < first + perAttacher; i++) {
                  Object task = tasks[i % tasks.length];
                  int submission = i;
                  SUBMISSION.run(
                      submission,
                      () ->
                          TaskLinks.linkTask(
                              task, ResourceTypes.EXECUTOR_TASK, false, ExecutionState.current()));
                  ready.add(task); // one queue entry per link, as a pool's queue holds
                }
              }));
    }
    for (int t = 0; t < 4; t++) {
      threads.add(
          new Thread(
              () -> {
                await(start);
                while (taken.get() < total) {
                  Object task = ready.poll();
                  if (task == null) {
                    Thread.onSpinWait();
                    continue;
                  }
                  Link begun = TaskRuns.begin(task);
                  Integer submission = SUBMISSION.getStore();
                  if (submission == null || tasks[submission % tasks.length] != task) {
                    wrongContext.incrementAndGet();
                  } else {
                    runs[submission].incrementAndGet();
                  }
                  TaskRuns.end(begun, ExecutionState.current(), true);
                  taken.incrementAndGet();
                }
              }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(wrongContext.get()).as("runs in no context or another task's").isZero();
    for (int i = 0; i < total; i++) {
      assertThat(runs[i].get()).as("runs of submission %d", i).isEqualTo(1);
    }
    for (Object task : tasks) {
      assertThat(TaskLinks.isLinked(task)).isFalse();
    }
  }
}
