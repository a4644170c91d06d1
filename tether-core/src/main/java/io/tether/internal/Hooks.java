package io.tether.internal;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.HookErrorHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not public API. The hook registry and dispatch of hook events.
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
public final class Hooks {

  static final Object LOCK = new Object();

  /** The enabled hooks, or {@code null} when there are none. */
  static volatile HookSet active;

  private static final List<HookEntry> ENABLED = new ArrayList<>();

  private static volatile HookErrorHandler errorHandler = new DefaultHookErrorHandler();

  private Hooks() {}

  /** Enables {@code hook}: from the next event on, it receives events. Idempotent. */
  public static void enable(HookEntry hook) {
    synchronized (LOCK) {
      if (!hook.enabled) {
        hook.enabled = true;
        ENABLED.add(hook);
        active = new HookSet(ENABLED);
      }
    }
  }

  /** Disables {@code hook}: from the next event on, it receives none. Idempotent. */
  public static void disable(HookEntry hook) {
    synchronized (LOCK) {
      if (hook.enabled) {
        hook.enabled = false;
        ENABLED.remove(hook);
        active = ENABLED.isEmpty() ? null : new HookSet(ENABLED);
      }
    }
  }

  /** Whether {@code hook} is enabled now. */
  public static boolean isEnabled(HookEntry hook) {
    synchronized (LOCK) {
      return hook.enabled;
    }
  }

  /** Sets the policy for hook failures; returns the previous one. */
  public static HookErrorHandler setErrorHandler(HookErrorHandler handler) {
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
  public static boolean destroyTracked() {
    HookSet h = active;
    return h != null && h.destroy.length > 0;
  }

  /**
   * Delivers destroy of {@code asyncId} on the {@code tether-destroy} thread, for the cases where
   * the event is raised inside the application's code ({@link AsyncResource#emitDestroy()}, a
   * {@code CompletableFuture} completed by a call of the application's).
   */
  public static void destroyLater(long asyncId) {
    DestroyThread.add(asyncId);
  }

  /**
   * Destroy watches held now (resources watched, neither destroyed nor yet collected): for tests.
   */
  public static int destroyWatchesHeld() {
    return DestroyWatch.held();
  }

  /**
   * Destroy watches pushed and not yet swept by the cleaner, done or not (counting does not sweep):
   * for tests.
   */
  public static int destroyWatchesUnswept() {
    return DestroyWatch.unswept();
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
    final HookEntry[] init;
    final HookEntry[] before;
    final HookEntry[] after;
    final HookEntry[] destroy;
    final HookEntry[] promiseResolve;

    HookSet(List<HookEntry> hooks) {
      init = hooks.stream().filter(h -> h.hasInit).toArray(HookEntry[]::new);
      before = hooks.stream().filter(h -> h.hasBefore).toArray(HookEntry[]::new);
      after = hooks.stream().filter(h -> h.hasAfter).toArray(HookEntry[]::new);
      destroy = hooks.stream().filter(h -> h.hasDestroy).toArray(HookEntry[]::new);
      promiseResolve = hooks.stream().filter(h -> h.hasPromiseResolve).toArray(HookEntry[]::new);
    }

    void init(ExecutionState s, long asyncId, String type, long triggerAsyncId, Object resource) {
      HookEntry[] hooks = init;
      if (hooks.length == 0 || s.inHook) {
        return;
      }
      s.inHook = true;
      try {
        for (HookEntry hook : hooks) {
          Frame frame = s.frame;
          try {
            hook.callbacks.init(asyncId, type, triggerAsyncId, resource);
          } catch (Throwable t) {
            s.setFrame(frame);
            report(hook.hook, "init", asyncId, t);
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

  private static void dispatch(ExecutionState s, HookEntry[] hooks, int event, long asyncId) {
    if (hooks.length == 0 || s.inHook) {
      return;
    }
    s.inHook = true;
    try {
      for (HookEntry hook : hooks) {
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
          report(hook.hook, EVENT_NAMES[event], asyncId, t);
        }
      }
    } finally {
      s.inHook = false;
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
        StringBuilder b =
            new StringBuilder()
                .append("[tether] async hook ")
                .append(hook.callbacks().getClass().getName())
                .append(" threw in ")
                .append(event)
                .append("(asyncId=")
                .append(asyncId)
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
