package io.tether.agent;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What the boundary tests share: the storage they propagate, and a recording hook. */
final class AgentTests {

  static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

  private AgentTests() {}

  /**
   * The application's task behind a task that a pool hands out (its queue, {@code shutdownNow}, a
   * rejection handler). Tether keeps the application's own task objects; TransmittableThreadLocal's
   * agent, when it is the peer agent of the run, wraps every task in a {@code TtlRunnable} of its
   * own, and only that wrapper is taken off here (a wrapper of Tether's would remain and fail).
   */
  static Runnable applicationTask(Runnable task) {
    return PeerAgentTest.TTL ? com.alibaba.ttl.TtlUnwrap.unwrap(task) : task;
  }

  static List<Runnable> applicationTasks(java.util.Collection<Runnable> tasks) {
    List<Runnable> out = new ArrayList<>();
    for (Runnable task : tasks) {
      out.add(applicationTask(task));
    }
    return out;
  }

  static void await(CountDownLatch latch) throws InterruptedException {
    if (!latch.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("timed out waiting for a latch");
    }
  }

  /** Records hook events as text: {@code init 7 TYPE 3}, {@code before 7}, ... */
  static final class Recorder implements AsyncHookCallbacks, AutoCloseable {
    private final List<String> events = new ArrayList<>();
    private final AsyncHook hook = AsyncHooks.createHook(this);

    Recorder() {
      hook.enable();
    }

    @Override
    public void close() {
      hook.disable();
    }

    private synchronized void add(String e) {
      events.add(e);
      notifyAll();
    }

    @Override
    @SuppressWarnings("deprecation")  // Thread.getId(): threadId() is JDK 19+
    public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
      add("init " + asyncId + " " + type + " " + triggerAsyncId + " "
          + Thread.currentThread().getId());
    }

    @Override
    public void before(long asyncId) {
      add("before " + asyncId);
    }

    @Override
    public void after(long asyncId) {
      add("after " + asyncId);
    }

    @Override
    public void destroy(long asyncId) {
      add("destroy " + asyncId);
    }

    @Override
    public void promiseResolve(long asyncId) {
      add("promiseResolve " + asyncId);
    }

    synchronized List<String> events() {
      return new ArrayList<>(events);
    }

    /** The events about one resource, by name only, in order. */
    synchronized List<String> of(long asyncId) {
      List<String> out = new ArrayList<>();
      for (String e : events) {
        String[] p = e.split(" ");
        if (Long.parseLong(p[1]) == asyncId) {
          out.add(p[0]);
        }
      }
      return out;
    }

    /**
     * Ids of resources of {@code type} linked by the calling thread, in order of init: work that
     * the JVM's other threads link meanwhile (an idle HttpClient, a pool of an earlier test) is
     * left out.
     */
    @SuppressWarnings("deprecation")  // Thread.getId(): threadId() is JDK 19+
    synchronized List<Long> ids(String type) {
      String self = String.valueOf(Thread.currentThread().getId());
      List<Long> out = new ArrayList<>();
      for (String e : events) {
        String[] p = e.split(" ");
        if (p[0].equals("init") && p[2].equals(type) && p[4].equals(self)) {
          out.add(Long.parseLong(p[1]));
        }
      }
      return out;
    }

    /** The trigger id recorded in the init of {@code asyncId}, or -2. */
    synchronized long triggerOf(long asyncId) {
      for (String e : events) {
        String[] p = e.split(" ");
        if (p[0].equals("init") && Long.parseLong(p[1]) == asyncId) {
          return Long.parseLong(p[3]);
        }
      }
      return -2;
    }

    /** Waits (bounded) until {@code event} about {@code asyncId} was recorded. */
    synchronized boolean await(String event, long asyncId) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!events.contains(event + " " + asyncId)) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        wait(left);
      }
      return true;
    }
  }
}
