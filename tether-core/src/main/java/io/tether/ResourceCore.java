package io.tether;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What every async resource is: an id, the id of its cause, a type, the {@link Frame} current at
 * its link point, and the machinery to run a continuation in that frame with hook events around it.
 * {@link AsyncResource}, {@link AsyncSnapshot}, bound functions and executor tasks all extend it.
 *
 * <p>Invariants: all fields but {@code destroyed} are final and set at the link point, on the
 * linking thread, so a resource may be published to any thread through any queue. {@code
 * destroyed} moves 0 to 1 once, by CAS, which is what makes destroy exactly-once whoever races to
 * raise it (the running thread, {@code emitDestroy}, or the cleaner when the resource became
 * unreachable). A resource linked inside a hook callback is {@code silent}: it still carries its
 * frame but raises no hook events at all, so hooks cannot recurse.
 */
abstract class ResourceCore {

  /** Trigger id meaning "the execution async id at the link point". */
  static final long CURRENT_TRIGGER = Long.MIN_VALUE;

  /** Async id 1 is the main thread's top level; resources count up from 2, never reused. */
  private static final AtomicLong NEXT_ID = new AtomicLong(2);

  private static final AtomicIntegerFieldUpdater<ResourceCore> DESTROYED =
      AtomicIntegerFieldUpdater.newUpdater(ResourceCore.class, "destroyed");

  final String type;
  final long asyncId;
  final long triggerAsyncId;
  final Frame frame;
  final boolean silent;
  /** Non-null when destroy must also be raised if this resource becomes unreachable. */
  private final DestroyWatch watch;
  private volatile int destroyed;

  /**
   * Links a resource here and now: captures the current frame and raises {@code init}.
   *
   * @param destroyWhenUnreachable whether an unreachable, never destroyed resource gets {@code
   *     destroy} (only where a destroy hook is enabled now)
   */
  ResourceCore(String type, long triggerAsyncId, boolean destroyWhenUnreachable) {
    this(type, triggerAsyncId, destroyWhenUnreachable, ExecutionState.current());
  }

  /** As {@link #ResourceCore(String, long, boolean)}, linked on the thread whose state is {@code s}. */
  ResourceCore(String type, long triggerAsyncId, boolean destroyWhenUnreachable,
      ExecutionState s) {
    this.type = type;
    this.asyncId = NEXT_ID.getAndIncrement();
    this.triggerAsyncId = triggerAsyncId == CURRENT_TRIGGER ? s.asyncId : triggerAsyncId;
    this.frame = s.frame;
    this.silent = s.inHook;
    Hooks.HookSet h = Hooks.active;
    if (h != null && !silent) {
      watch = destroyWhenUnreachable && h.destroy.length > 0 ? DestroyWatch.watch(this) : null;
      h.init(s, asyncId, type, this.triggerAsyncId, this);
    } else {
      watch = null;
    }
    if (AsyncStackTraces.enabled) {
      AsyncStackTraces.capture(this, s);
    }
  }

  /** Makes this resource's continuation current on this thread and raises {@code before}. */
  final ExecutionState enterScope() {
    ExecutionState s = ExecutionState.current();
    s.enter(frame, this, asyncId, triggerAsyncId);
    Hooks.HookSet h = Hooks.active;
    if (h != null && !silent) {
      h.before(s, asyncId);
    }
    return s;
  }

  /** Raises {@code after} and restores what {@link #enterScope()} found. */
  final void exitScope(ExecutionState s) {
    Hooks.HookSet h = Hooks.active;
    if (h != null && !silent) {
      h.after(s, asyncId);
    }
    s.exit();
  }

  final void runInScope(Runnable fn) {
    ExecutionState s = enterScope();
    try {
      fn.run();
    } catch (RuntimeException | Error e) {
      AsyncStackTraces.attach(e, this);
      throw e;
    } finally {
      exitScope(s);
    }
  }

  final <R> R getInScope(Supplier<R> fn) {
    ExecutionState s = enterScope();
    try {
      return fn.get();
    } catch (RuntimeException | Error e) {
      AsyncStackTraces.attach(e, this);
      throw e;
    } finally {
      exitScope(s);
    }
  }

  final <R> R callInScope(Callable<R> fn) throws Exception {
    ExecutionState s = enterScope();
    try {
      return fn.call();
    } catch (Exception | Error e) {
      AsyncStackTraces.attach(e, this);
      throw e;
    } finally {
      exitScope(s);
    }
  }

  /** Whether this resource's destroy was claimed (raised, or about to be). */
  final boolean destroyClaimed() {
    return destroyed != 0;
  }

  /** Whether a destroy hook was enabled when this resource was linked (it is watched). */
  final boolean watched() {
    return watch != null;
  }

  /** Claims the one destroy of this resource; false if it was already claimed. */
  final boolean claimDestroy() {
    if (!DESTROYED.compareAndSet(this, 0, 1)) {
      return false;
    }
    if (watch != null) {
      watch.cancel();
    }
    return true;
  }

  /**
   * The resource will not run again (its last run ended, or it was rejected, cancelled or
   * dropped): raises destroy on this thread, once. Skipped outright, claim and all, when nothing
   * could observe it: no hook enabled and no watch to cancel.
   */
  final void ended() {
    if ((watch != null || Hooks.active != null) && claimDestroy() && !silent) {
      Hooks.destroyNow(asyncId);
    }
  }

  /** Destroy watches held now (resources watched, neither destroyed nor yet collected): for tests. */
  static int watchesHeld() {
    return DestroyWatch.held();
  }

  /**
   * Raises destroy for a resource that became unreachable without being destroyed. Holds only the
   * id, never the resource, or the resource could never become unreachable.
   *
   * <p>A phantom reference to the resource, kept reachable in one of {@link #STRIPES} lists (the
   * stripe by async id, so threads linking and ending resources rarely meet on a lock) until it is
   * cancelled or the collector enqueues it. Cancelling unlinks it and nothing more: a reference
   * object that is itself unreachable is never enqueued, so there is nothing to clear. Tether's
   * own daemon thread ({@code tether-cleaner}, started unlinked) raises destroy for the enqueued.
   */
  private static final class DestroyWatch extends PhantomReference<ResourceCore> {
    private static final int STRIPES = 16;
    private static final DestroyWatch[] HEADS = new DestroyWatch[STRIPES];
    private static final ReferenceQueue<ResourceCore> UNREACHABLE = new ReferenceQueue<>();

    static {
      for (int i = 0; i < STRIPES; i++) {
        HEADS[i] = new DestroyWatch();
      }
      Thread t = new Thread(DestroyWatch::collected, "tether-cleaner");
      t.setDaemon(true);
      ExecutionState s = ExecutionState.current();
      s.suppressDepth++;
      try {
        t.start();
      } finally {
        s.suppressDepth--;
      }
    }

    private final long asyncId;
    /** The stripe's list head (a sentinel), the lock of {@link #prev} and {@link #next}. */
    private final DestroyWatch head;
    private DestroyWatch prev;
    private DestroyWatch next;
    private volatile boolean done;

    /** A stripe's sentinel. */
    private DestroyWatch() {
      super(null, null);
      asyncId = 0;
      head = this;
      prev = this;
      next = this;
    }

    private DestroyWatch(ResourceCore resource) {
      super(resource, UNREACHABLE);
      asyncId = resource.asyncId;
      head = HEADS[(int) asyncId & (STRIPES - 1)];
      synchronized (head) {
        next = head.next;
        prev = head;
        head.next.prev = this;
        head.next = this;
      }
    }

    static DestroyWatch watch(ResourceCore resource) {
      return new DestroyWatch(resource);
    }

    static int held() {
      int n = 0;
      for (DestroyWatch head : HEADS) {
        synchronized (head) {
          for (DestroyWatch w = head.next; w != head; w = w.next) {
            n++;
          }
        }
      }
      return n;
    }

    /** Destroy was raised another way: the collector need not tell us any more. */
    void cancel() {
      done = true;
      unlink();
    }

    private void unlink() {
      synchronized (head) {
        if (next != null) {
          prev.next = next;
          next.prev = prev;
          next = null;
          prev = null;
        }
      }
    }

    private static void collected() {
      while (true) {
        try {
          DestroyWatch w = (DestroyWatch) UNREACHABLE.remove();
          w.unlink();
          if (!w.done) {
            w.done = true;
            Hooks.destroyNow(w.asyncId);
          }
        } catch (Throwable t) {
          // a daemon: it runs as long as the JVM does; destroyNow reports hook failures itself
        }
      }
    }
  }
}
