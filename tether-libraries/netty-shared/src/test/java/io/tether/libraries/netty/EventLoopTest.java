package io.tether.libraries.netty;

import static io.tether.libraries.netty.Netty.REQUEST;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Sightings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tasks handed to Netty's event loops ({@code execute}, {@code schedule*}) run in the context of
 * the code that handed them over, from outside the loop or from a task on it; the loops' own
 * threads start empty and keep nothing of the tasks they ran.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class EventLoopTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private final Sightings seen = new Sightings(Netty.REQUEST);
  private EventLoopGroup group;

  @BeforeEach
  void startGroup() {
    group = Netty.newGroup(2);
  }

  @AfterEach
  void stopGroup() throws InterruptedException {
    Netty.shutdown(group);
  }

  @Test
  void execute_fromOutsideTheLoop_runsInTheSubmittersContext() throws InterruptedException {
    EventLoop loop = group.next();
    REQUEST.run("x", () -> loop.execute(seen.task("x")));
    REQUEST.run("y", () -> loop.execute(seen.task("y")));
    loop.execute(seen.task("none"));
    assertThat(seen.await(3)).containsExactly("x=x", "y=y", "none=null");
  }

  @Test
  void execute_fromInsideALoop_runsInTheSubmittersContext() throws InterruptedException {
    EventLoop loop = group.next();
    EventLoop other = group.next();
    loop.execute(
        () -> {
          REQUEST.run("x", () -> loop.execute(seen.task("x")));
          REQUEST.run("y", () -> other.execute(seen.task("y")));
          loop.execute(seen.task("none"));
        });
    assertThat(seen.await(3)).containsExactlyInAnyOrder("x=x", "y=y", "none=null");
  }

  @Test
  void schedule_fromOutsideTheLoop_runsInTheSchedulersContext() throws InterruptedException {
    EventLoop loop = group.next();
    REQUEST.run("x", () -> loop.schedule(seen.task("x"), 20, MILLISECONDS));
    REQUEST.run("y", () -> loop.schedule(seen.callable("y"), 10, MILLISECONDS));
    loop.schedule(seen.task("none"), 1, MILLISECONDS);
    assertThat(seen.await(3)).containsExactlyInAnyOrder("x=x", "y=y", "none=null");
  }

  @Test
  void schedule_fromInsideALoop_runsInTheSchedulersContext() throws InterruptedException {
    EventLoop loop = group.next();
    EventLoop other = group.next();
    loop.execute(
        () -> {
          REQUEST.run("x", () -> loop.schedule(seen.task("x"), 20, MILLISECONDS));
          REQUEST.run("y", () -> loop.schedule(seen.callable("y"), 10, MILLISECONDS));
          REQUEST.run("z", () -> other.schedule(seen.task("z"), 1, MILLISECONDS));
          loop.schedule(seen.task("none"), 1, MILLISECONDS);
        });
    assertThat(seen.await(4)).containsExactlyInAnyOrder("x=x", "y=y", "z=z", "none=null");
  }

  @Test
  void scheduleAtFixedRate_andWithFixedDelay_runEachTimeInTheSchedulersContext()
      throws InterruptedException {
    EventLoop loop = group.next();
    EventLoop other = group.next();
    Sightings x = new Sightings(Netty.REQUEST);
    Sightings y = new Sightings(Netty.REQUEST);
    Sightings z = new Sightings(Netty.REQUEST);
    Sightings w = new Sightings(Netty.REQUEST);
    List<ScheduledFuture<?>> periodic = java.util.Collections.synchronizedList(new ArrayList<>());
    periodic.add(REQUEST.run("x", () -> loop.scheduleAtFixedRate(x.task("x"), 1, 2, MILLISECONDS)));
    periodic.add(
        REQUEST.run("y", () -> loop.scheduleWithFixedDelay(y.task("y"), 1, 2, MILLISECONDS)));
    CountDownLatch scheduledInside = new CountDownLatch(1);
    other.execute(
        () -> {
          periodic.add(
              REQUEST.run("z", () -> other.scheduleAtFixedRate(z.task("z"), 1, 2, MILLISECONDS)));
          periodic.add(
              REQUEST.run("w", () -> loop.scheduleWithFixedDelay(w.task("w"), 1, 2, MILLISECONDS)));
          scheduledInside.countDown();
        });
    try {
      assertThat(x.await(3)).containsOnly("x=x");
      assertThat(y.await(3)).containsOnly("y=y");
      assertThat(z.await(3)).containsOnly("z=z");
      assertThat(w.await(3)).containsOnly("w=w");
    } finally {
      scheduledInside.await();
      synchronized (periodic) {
        periodic.forEach(future -> future.cancel(false));
      }
    }
  }

  @Test
  void globalEventExecutor_runsTasksInTheSubmittersContext() throws InterruptedException {
    REQUEST.run("x", () -> GlobalEventExecutor.INSTANCE.execute(seen.task("x")));
    REQUEST.run("y", () -> GlobalEventExecutor.INSTANCE.schedule(seen.task("y"), 5, MILLISECONDS));
    REQUEST.run("z", () -> GlobalEventExecutor.INSTANCE.schedule(seen.task("z"), 1, MILLISECONDS));
    assertThat(seen.await(3)).containsExactlyInAnyOrder("x=x", "y=y", "z=z");
  }

  /**
   * A loop's thread starts with the first task that reaches the loop, here submitted inside {@code
   * run("starter")}: the thread itself starts empty, and so do the tasks submitted later from
   * outside any context and the I/O the loop runs on its own.
   */
  @Test
  void eventLoopThreads_startedInsideAContext_startEmpty() throws InterruptedException {
    Sightings threadStarts = new Sightings(Netty.REQUEST);
    ThreadFactory recordingStart =
        task ->
            new Thread(
                () -> {
                  threadStarts.record("thread");
                  task.run();
                });
    EventLoopGroup fresh = Netty.newGroup(1, recordingStart);
    try {
      REQUEST.run("starter", () -> fresh.execute(seen.task("first")));
      assertThat(seen.awaitOne()).isEqualTo("first=starter");
      assertThat(threadStarts.awaitOne()).isEqualTo("thread=null");
      fresh.execute(seen.task("later"));
      assertThat(seen.awaitOne()).isEqualTo("later=null");
      try (Loopback loopback = new Loopback(fresh)) {
        Channel client = loopback.connect().sync().channel();
        Loopback.writeOneByte(client).sync();
        assertThat(loopback.serverReads.awaitOne()).isEqualTo("read=null");
        client.close().sync();
      }
    } finally {
      Netty.shutdown(fresh);
    }
  }

  /** A task that enters a context leaves nothing of it on the loop's thread. */
  @Test
  void eventLoopThread_keepsNoContext_afterTasksThatSetOne() throws InterruptedException {
    EventLoopGroup one = Netty.newGroup(1);
    try (Loopback loopback = new Loopback(one)) {
      REQUEST.run(
          "x",
          () ->
              one.execute(
                  () -> {
                    seen.record("x");
                    REQUEST.enterWith("entered");
                  }));
      REQUEST.run("y", () -> one.schedule(() -> REQUEST.enterWith("entered"), 1, MILLISECONDS));
      one.schedule(seen.task("scheduled"), 5, MILLISECONDS);
      one.execute(seen.task("executed"));
      assertThat(seen.await(3)).containsExactlyInAnyOrder("x=x", "scheduled=null", "executed=null");
      Channel client = loopback.connect().sync().channel();
      Loopback.writeOneByte(client).sync();
      assertThat(loopback.serverReads.awaitOne()).isEqualTo("read=null");
      client.close().sync();
    } finally {
      Netty.shutdown(one);
    }
  }

  /**
   * Netty's timer wheel: a timeout's task runs in the context where it was scheduled, and the
   * wheel's worker thread, started by the first timeout (inside a context), starts empty.
   */
  @Test
  void hashedWheelTimer_runsTimeoutsInTheSchedulersContext_andItsWorkerStartsEmpty()
      throws InterruptedException {
    Sightings threadStarts = new Sightings(Netty.REQUEST);
    HashedWheelTimer timer =
        new HashedWheelTimer(
            task ->
                new Thread(
                    () -> {
                      threadStarts.record("thread");
                      task.run();
                    }),
            1,
            MILLISECONDS);
    try {
      REQUEST.run("x", () -> timer.newTimeout(timeout -> seen.record("x"), 20, MILLISECONDS));
      REQUEST.run("y", () -> timer.newTimeout(timeout -> seen.record("y"), 1, MILLISECONDS));
      assertThat(seen.await(2)).containsExactlyInAnyOrder("x=x", "y=y");
      assertThat(threadStarts.awaitOne()).isEqualTo("thread=null");
    } finally {
      timer.stop();
    }
  }
}
