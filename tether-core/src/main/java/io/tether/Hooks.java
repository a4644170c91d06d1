package io.tether;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hook registry and dispatch.
 *
 * <p>Invariants: {@link #active} is {@code null} whenever no hook is enabled, so the whole cost of
 * the hook machinery on a path with no hook is one volatile read and a null check. Otherwise it is
 * an immutable {@link HookSet}, replaced (copy on write, under {@link #LOCK}) on every enable and
 * disable; a dispatch reads it once, so a change made while events are dispatched (even from a
 * callback) applies from the next event. Callbacks run with {@link ExecutionState#inHook} set, so
 * async work linked inside them is silent and cannot recurse. A callback that throws has whatever
 * it did to the thread's context undone before the next callback, so it cannot corrupt the
 * application's context.
 */
final class Hooks {

  static final Object LOCK = new Object();

  /** The enabled hooks, or {@code null} when there are none. */
  static volatile HookSet active;

  private static final List<AsyncHook> ENABLED = new ArrayList<>();

  private static volatile HookErrorHandler errorHandler = new DefaultHookErrorHandler();

  private Hooks() {}

  static void enable(AsyncHook hook) {
    synchronized (LOCK) {
      if (!hook.enabled) {
        hook.enabled = true;
        ENABLED.add(hook);
        active = new HookSet(ENABLED);
      }
    }
  }

  static void disable(AsyncHook hook) {
    synchronized (LOCK) {
      if (hook.enabled) {
        hook.enabled = false;
        ENABLED.remove(hook);
        active = ENABLED.isEmpty() ? null : new HookSet(ENABLED);
      }
    }
  }

  static HookErrorHandler setErrorHandler(HookErrorHandler handler) {
    HookErrorHandler previous = errorHandler;
    errorHandler = handler;
    return previous;
  }

  static void report(AsyncHook hook, String event, long asyncId, Throwable error) {
    try {
      errorHandler.onHookError(hook, event, asyncId, error);
    } catch (Throwable ignored) {
      // The handler's own failure must not reach the application either.
    }
  }

  /** Whether some enabled hook has a destroy callback: only then is destroy worth tracking. */
  static boolean destroyTracked() {
    HookSet h = active;
    return h != null && h.destroy.length > 0;
  }

  /**
   * Delivers destroy of {@code asyncId} on the {@code tether-destroy} thread, for the cases where
   * the event is raised inside the application's code ({@link AsyncResource#emitDestroy()}, a
   * {@code CompletableFuture} completed by a call of the application's).
   */
  static void destroyLater(long asyncId) {
    DestroyThread.add(asyncId);
  }

  /** Delivers destroy of {@code asyncId} to the enabled hooks, now, on this thread. */
  static void destroyNow(long asyncId) {
    HookSet h = active;
    if (h != null) {
      h.destroy(ExecutionState.current(), asyncId);
    }
  }

  /** The enabled hooks at one moment, split by callback so dispatch skips hooks that lack one. */
  static final class HookSet {
    final AsyncHook[] init;
    final AsyncHook[] before;
    final AsyncHook[] after;
    final AsyncHook[] destroy;
    final AsyncHook[] promiseResolve;

    HookSet(List<AsyncHook> hooks) {
      init = hooks.stream().filter(h -> h.hasInit).toArray(AsyncHook[]::new);
      before = hooks.stream().filter(h -> h.hasBefore).toArray(AsyncHook[]::new);
      after = hooks.stream().filter(h -> h.hasAfter).toArray(AsyncHook[]::new);
      destroy = hooks.stream().filter(h -> h.hasDestroy).toArray(AsyncHook[]::new);
      promiseResolve = hooks.stream().filter(h -> h.hasPromiseResolve).toArray(AsyncHook[]::new);
    }

    void init(ExecutionState s, long asyncId, String type, long triggerAsyncId, Object resource) {
      AsyncHook[] hooks = init;
      if (hooks.length == 0 || s.inHook) {
        return;
      }
      s.inHook = true;
      try {
        for (AsyncHook hook : hooks) {
          Frame frame = s.frame;
          try {
            hook.callbacks.init(asyncId, type, triggerAsyncId, resource);
          } catch (Throwable t) {
            s.setFrame(frame);
            report(hook, "init", asyncId, t);
          }
        }
      } finally {
        s.inHook = false;
      }
    }

    void before(ExecutionState s, long asyncId) {
      dispatch(s, before, BEFORE, asyncId);
    }

    void after(ExecutionState s, long asyncId) {
      dispatch(s, after, AFTER, asyncId);
    }

    void destroy(ExecutionState s, long asyncId) {
      dispatch(s, destroy, DESTROY, asyncId);
    }

    void promiseResolve(ExecutionState s, long asyncId) {
      dispatch(s, promiseResolve, PROMISE_RESOLVE, asyncId);
    }
  }

  private static final int BEFORE = 0;
  private static final int AFTER = 1;
  private static final int DESTROY = 2;
  private static final int PROMISE_RESOLVE = 3;
  private static final String[] EVENT_NAMES = {"before", "after", "destroy", "promiseResolve"};

  private static void dispatch(ExecutionState s, AsyncHook[] hooks, int event, long asyncId) {
    if (hooks.length == 0 || s.inHook) {
      return;
    }
    s.inHook = true;
    try {
      for (AsyncHook hook : hooks) {
        Frame frame = s.frame;
        try {
          AsyncHookCallbacks c = hook.callbacks;
          switch (event) {
            case BEFORE:
              c.before(asyncId);
              break;
            case AFTER:
              c.after(asyncId);
              break;
            case DESTROY:
              c.destroy(asyncId);
              break;
            default:
              c.promiseResolve(asyncId);
              break;
          }
        } catch (Throwable t) {
          s.setFrame(frame);
          report(hook, EVENT_NAMES[event], asyncId, t);
        }
      }
    } finally {
      s.inHook = false;
    }
  }

  /**
   * The daemon thread that delivers destroy events raised inside application code. It is a plain
   * thread fed by a lock-free queue, not an executor, so that no instrumentation ever treats its
   * work as application work. Under a steady stream of events (every completed future of a busy
   * server) it wakes about once a millisecond and delivers what gathered, rather than once an
   * event; idle, it parks until the next event unparks it.
   */
  private static final class DestroyThread {
    private static final ConcurrentLinkedQueue<Long> QUEUE = new ConcurrentLinkedQueue<>();
    private static final long GATHER_NANOS = 1_000_000;
    private static volatile boolean sleeping;
    private static final Thread THREAD;

    static {
      Thread t = new Thread(DestroyThread::drain, "tether-destroy");
      t.setDaemon(true);
      ExecutionState s = ExecutionState.current();
      s.suppressDepth++;  // Tether's own thread: the agent must not link it to anyone's context
      try {
        t.start();
      } finally {
        s.suppressDepth--;
      }
      THREAD = t;
    }

    static void add(long asyncId) {
      QUEUE.offer(asyncId);
      if (sleeping) {  // read after the offer: a thread going to sleep re-reads the queue after
        LockSupport.unpark(THREAD);
      }
    }

    private static void drain() {
      ExecutionState.current().asyncId = 0;
      while (true) {
        try {
          Thread.interrupted();  // a stray interrupt must not turn park() into a busy loop
          Long id;
          while ((id = QUEUE.poll()) != null) {
            destroyNow(id);
          }
          LockSupport.parkNanos(GATHER_NANOS);
          if (QUEUE.isEmpty()) {
            sleeping = true;
            if (QUEUE.isEmpty()) {  // re-read after announcing the sleep: no event is missed
              LockSupport.park();
            }
            sleeping = false;
          }
        } catch (Throwable t) {
          // destroyNow reports callback failures itself; keep delivering whatever else happens
        }
      }
    }
  }

  /** Prints each failure with its stack; past 100 reports, a count every 1,000 failures. */
  static final class DefaultHookErrorHandler implements HookErrorHandler {
    private static final int FULL_REPORTS = 100;
    private final AtomicLong count = new AtomicLong();
    private final boolean disableOnError = Boolean.getBoolean("tether.hooks.disableOnError");

    @Override
    public void onHookError(AsyncHook hook, String event, long asyncId, Throwable error) {
      long n = count.incrementAndGet();
      if (n <= FULL_REPORTS) {
        StringBuilder b = new StringBuilder()
            .append("[tether] async hook ").append(hook.callbacks.getClass().getName())
            .append(" threw in ").append(event).append("(asyncId=").append(asyncId)
            .append("); the application was not affected")
            .append(disableOnError ? "; the hook is now disabled" : "")
            .append(System.lineSeparator());
        java.io.StringWriter w = new java.io.StringWriter();
        error.printStackTrace(new java.io.PrintWriter(w));
        System.err.print(b.append(w));
        if (n == FULL_REPORTS) {
          System.err.println("[tether] further async hook failures are counted, not printed");
        }
      } else if (n % 1000 == 0) {
        System.err.println("[tether] async hook failures so far: " + n);
      }
      if (disableOnError) {
        hook.disable();
      }
    }
  }
}
