package io.tether.junit5;

import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import io.tether.ResourceTypes;
import io.tether.internal.CallSites;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The async work a piece of code started, found through Tether's async hooks: every resource linked
 * while a {@link Scope} is current (directly, or in any continuation of what it linked, on any
 * thread and any shared pool, since the context follows the work) belongs to that scope until it
 * ends: {@code destroy} for tasks, threads, timers and other resources, {@code promiseResolve} for
 * a {@code CompletableFuture}. What has not ended is a {@link Leftover}.
 *
 * <p>Without Tether's agent this sees {@code AsyncResource}s and the tasks of Tether-wrapped
 * executors; with it, every JDK boundary the agent covers. Snapshots and bound functions ({@code
 * bound-anonymous-fn}) are captures, not work, and are not tracked.
 */
public final class AsyncWork {

  private static final AsyncLocalStorage<Scope> CURRENT = new AsyncLocalStorage<>("asyncWork");
  private static final Map<Long, Leftover> PENDING = new ConcurrentHashMap<>();
  private static final StackWalker WALKER = StackWalker.getInstance();
  private static volatile boolean hooked;

  private AsyncWork() {}

  /** Opens a scope named {@code name}; run code in it with {@link Scope#run}/{@link Scope#call}. */
  public static Scope open(String name) {
    if (name == null) {
      throw new IllegalArgumentException("name must not be null");
    }
    hook();
    return new Scope(name);
  }

  /** The scope current here (where the running code was linked from), or {@code null}. */
  public static Scope current() {
    return CURRENT.getStore();
  }

  /**
   * Waits until all the work started in the current scope has ended, for at most {@code timeout}.
   *
   * @return whether it all ended
   * @throws IllegalStateException outside any scope (in a test, outside one the {@link
   *     DanglingWorkExtension} runs)
   */
  public static boolean awaitIdle(Duration timeout) throws InterruptedException {
    Scope scope = current();
    if (scope == null) {
      throw new IllegalStateException(
          "awaitIdle needs a current AsyncWork scope (run the test"
              + " with @NoDanglingAsyncWork, or the code in AsyncWork.open(...).run(...))");
    }
    return scope.awaitIdle(timeout);
  }

  private static synchronized void hook() {
    if (!hooked) {
      AsyncHooks.createHook(new Tracker()).enable();
      hooked = true;
    }
  }

  /** One resource of a scope that has not ended. */
  public static final class Leftover {
    final Scope scope;
    final long asyncId;
    final String type;
    final String callSite;
    final String thread;
    volatile int runs;
    volatile boolean running;

    Leftover(Scope scope, long asyncId, String type, String callSite, String thread) {
      this.scope = scope;
      this.asyncId = asyncId;
      this.type = type;
      this.callSite = callSite;
      this.thread = thread;
    }

    public long asyncId() {
      return asyncId;
    }

    public String type() {
      return type;
    }

    /** Where it was linked: the first application frame of that stack. */
    public String callSite() {
      return callSite;
    }

    /** What it is doing: queued, running, still alive, still scheduled, never completed... */
    public String state() {
      switch (type) {
        case ResourceTypes.COMPLETABLE_FUTURE:
          return "never completed";
        case ResourceTypes.THREAD:
        case ResourceTypes.VIRTUAL_THREAD:
          return running ? "still alive" : "not started";
        case ResourceTypes.TIMER_TASK:
        case ResourceTypes.SCHEDULED_TASK:
          return running
              ? "running"
              : runs > 0 ? "still scheduled (ran " + runs + " times)" : "still scheduled";
        case ResourceTypes.EXECUTOR_TASK:
        case ResourceTypes.FORK_JOIN_TASK:
          return running
              ? "running"
              : runs > 0 ? "not destroyed after " + runs + " runs" : "queued, never run";
        case ResourceTypes.HTTP_CLIENT_EXCHANGE:
        case ResourceTypes.NIO_COMPLETION:
          return running ? "running its completion" : "waiting for its completion";
        default:
          return running
              ? "running"
              : runs > 0 ? "not destroyed after " + runs + " runs" : "never destroyed";
      }
    }

    @Override
    public String toString() {
      return type
          + "#"
          + asyncId
          + " ("
          + state()
          + ") created at "
          + (callSite.isEmpty() ? "(no application frame)" : callSite)
          + " on thread "
          + thread;
    }
  }

  /** Work started while this scope was current. */
  public static final class Scope implements AutoCloseable {
    private final String name;
    private final Object lock = new Object();
    private final Map<Long, Leftover> pending = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private Scope(String name) {
      this.name = name;
    }

    public String name() {
      return name;
    }

    /** Runs {@code task} with this scope current: the work it starts belongs to the scope. */
    public void run(Runnable task) {
      CURRENT.run(this, task);
    }

    /** Calls {@code task} with this scope current. */
    public <T> T call(Callable<T> task) throws Exception {
      return CURRENT.call(this, task);
    }

    /** The work of this scope not ended yet, oldest first. */
    public List<Leftover> pending() {
      List<Leftover> list = new ArrayList<>(pending.values());
      list.sort(Comparator.comparingLong(l -> l.asyncId));
      return list;
    }

    /**
     * Waits until all the work of this scope has ended, for at most {@code timeout}.
     *
     * @return whether it all ended
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      synchronized (lock) {
        while (!pending.isEmpty()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
        return true;
      }
    }

    void add(Leftover leftover) {
      if (!closed) {
        pending.put(leftover.asyncId, leftover);
        PENDING.put(leftover.asyncId, leftover);
      }
    }

    void ended(long asyncId) {
      synchronized (lock) {
        pending.remove(asyncId);
        lock.notifyAll();
      }
    }

    /** Stops tracking: what is still pending is forgotten (and attributed to no other scope). */
    @Override
    public void close() {
      closed = true;
      for (Long id : pending.keySet()) {
        PENDING.remove(id);
      }
      pending.clear();
    }

    @Override
    public String toString() {
      return "AsyncWork.Scope[" + name + ", " + pending.size() + " pending]";
    }
  }

  /** The hook behind every scope. */
  private static final class Tracker implements AsyncHookCallbacks {
    @Override
    public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
      Scope scope = CURRENT.getStore();
      if (scope == null || scope.closed || type.equals(ResourceTypes.BOUND_ANONYMOUS_FN)) {
        return;
      }
      scope.add(new Leftover(scope, asyncId, type, callSite(), Thread.currentThread().getName()));
    }

    @Override
    public void before(long asyncId) {
      Leftover l = PENDING.get(asyncId);
      if (l != null) {
        l.running = true;
      }
    }

    @Override
    public void after(long asyncId) {
      Leftover l = PENDING.get(asyncId);
      if (l != null) {
        l.running = false;
        l.runs++;
      }
    }

    @Override
    public void destroy(long asyncId) {
      end(asyncId);
    }

    @Override
    public void promiseResolve(long asyncId) {
      end(asyncId);
    }

    private static void end(long asyncId) {
      Leftover l = PENDING.remove(asyncId);
      if (l != null) {
        l.scope.ended(asyncId);
      }
    }
  }

  static String callSite() {
    return CallSites.describe(CallSites.first(WALKER, AsyncWork::internal));
  }

  private static boolean internal(String c) {
    return CallSites.isInternal(c, AsyncWork.class) || c.startsWith("org.junit.");
  }
}
