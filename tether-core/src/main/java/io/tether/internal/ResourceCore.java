package io.tether.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What every async resource is: an id, the id of its cause, a type, the {@link Frame} current at
 * its link point, and the machinery to run a continuation in that frame with hook events around it.
 * Not public API. {@code AsyncResource}, {@code AsyncSnapshot}, bound functions, executor tasks and
 * the agent's links all extend it.
 *
 * <p>Invariants: all fields but {@code state} are final and set at the link point, on the linking
 * thread, so a resource may be published to any thread through any queue. {@code state}'s {@link
 * #DESTROYED} bit is set once, by CAS, which is what makes destroy exactly-once whoever races to
 * raise it (the running thread, {@code emitDestroy}, or the cleaner when the resource became
 * unreachable). A resource linked inside a hook callback is {@code silent}: it still carries its
 * frame but raises no hook events at all, so hooks cannot recurse.
 */
public abstract class ResourceCore {

  /** Trigger id meaning "the execution async id at the link point". */
  protected static final long CURRENT_TRIGGER = Long.MIN_VALUE;

  /**
   * Async id 1 is the main thread's top level; resources count up from 2, never reused. Threads
   * take ids from here in blocks ({@link ExecutionState#newAsyncId()}), so that linking a resource
   * touches no memory shared with other threads.
   */
  static final AtomicLong NEXT_ID = new AtomicLong(2);

  /** {@link #state}: destroy was claimed. */
  static final int DESTROYED = 1;

  /** {@link #state}, a {@link Link}'s: a run of its continuation is in progress. */
  static final int RUNNING = 2;

  /** {@link #state}, a {@link Link}'s: no run will start any more (completed, or cancelled). */
  static final int OVER = 4;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(ResourceCore.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  protected final String type;
  protected final long asyncId;
  protected final long triggerAsyncId;
  protected final Frame frame;
  protected final boolean silent;

  /**
   * Non-null when destroy must also be raised if this resource becomes unreachable: the chunk that
   * holds it, in slot {@link #watchSlot}, until it is destroyed or watched ({@link DestroyWatch}).
   */
  private final DestroyWatch.Chunk watchChunk;

  private final byte watchSlot;

  /** {@link #DESTROYED}, and a link's {@link #RUNNING} and {@link #OVER}: see the invariants. */
  private volatile int state;

  /**
   * Links a resource here and now: captures the current frame and raises {@code init}.
   *
   * @param destroyWhenUnreachable whether an unreachable, never destroyed resource gets {@code
   *     destroy} (only where a destroy hook is enabled now)
   */
  // Node's init receives the resource being constructed, as this one does: hooks see it before a
  // subclass's constructor has run (an AsyncResource subclass's fields are still unset there).
  @SuppressWarnings("this-escape")
  protected ResourceCore(String type, long triggerAsyncId, boolean destroyWhenUnreachable) {
    this(type, triggerAsyncId, destroyWhenUnreachable, ExecutionState.current());
  }

  /**
   * As {@link #ResourceCore(String, long, boolean)}, linked on the thread whose state is {@code s}.
   */
  @SuppressWarnings("this-escape") // see above
  ResourceCore(String type, long triggerAsyncId, boolean destroyWhenUnreachable, ExecutionState s) {
    this(type, triggerAsyncId, destroyWhenUnreachable, s, true);
  }

  /**
   * As {@link #ResourceCore(String, long, boolean, ExecutionState)}; with {@code watchNow} false, a
   * watched resource gets its destroy watch only if it outlives its slot ({@link DestroyWatch}):
   * for the agent's links, which end by themselves, and which the application never holds.
   */
  @SuppressWarnings("this-escape") // see above
  ResourceCore(
      String type,
      long triggerAsyncId,
      boolean destroyWhenUnreachable,
      ExecutionState s,
      boolean watchNow) {
    this.type = type;
    this.asyncId = s.newAsyncId();
    this.triggerAsyncId = triggerAsyncId == CURRENT_TRIGGER ? s.asyncId : triggerAsyncId;
    this.frame = s.frame;
    this.silent = s.inHook;
    Hooks.HookSet h = Hooks.active;
    if (h != null && !silent) {
      if (destroyWhenUnreachable && h.destroy.length > 0) {
        watchSlot = (byte) DestroyWatch.watch(this, s, watchNow);
        watchChunk = s.watchChunk;
      } else {
        watchSlot = 0;
        watchChunk = null;
      }
      h.init(s, asyncId, type, this.triggerAsyncId, this);
    } else {
      watchSlot = 0;
      watchChunk = null;
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

  /**
   * {@link #enterScope()} for a caller that keeps what was current in its own locals: it reads
   * {@code s.frame}, {@code s.resource} and {@code s.pendingFuture} first and hands them back to
   * {@link #leaveKeeping} in a {@code finally} (see {@link ExecutionState} for why).
   */
  final void enterKeeping(ExecutionState s) {
    s.enterKeeping(frame, this, asyncId, triggerAsyncId);
    Hooks.HookSet h = Hooks.active;
    if (h != null && !silent) {
      h.before(s, asyncId);
    }
  }

  /** {@link #exitScope} for a caller of {@link #enterKeeping}. */
  final void leaveKeeping(ExecutionState s, Frame oldFrame, Object oldResource, Link oldPending) {
    Hooks.HookSet h = Hooks.active;
    if (h != null && !silent) {
      h.after(s, asyncId);
    }
    s.leave(oldFrame, oldResource, oldPending);
  }

  protected final void runInScope(Runnable fn) {
    ExecutionState s = ExecutionState.current();
    Frame oldFrame = s.frame;
    Object oldResource = s.resource;
    Link oldPending = s.pendingFuture;
    enterKeeping(s);
    try {
      fn.run();
    } catch (RuntimeException | Error e) {
      AsyncStackTraces.attach(e, this);
      throw e;
    } finally {
      leaveKeeping(s, oldFrame, oldResource, oldPending);
    }
  }

  protected final <R> R getInScope(Supplier<R> fn) {
    ExecutionState s = ExecutionState.current();
    Frame oldFrame = s.frame;
    Object oldResource = s.resource;
    Link oldPending = s.pendingFuture;
    enterKeeping(s);
    try {
      return fn.get();
    } catch (RuntimeException | Error e) {
      AsyncStackTraces.attach(e, this);
      throw e;
    } finally {
      leaveKeeping(s, oldFrame, oldResource, oldPending);
    }
  }

  protected final <R> R callInScope(Callable<R> fn) throws Exception {
    ExecutionState s = ExecutionState.current();
    Frame oldFrame = s.frame;
    Object oldResource = s.resource;
    Link oldPending = s.pendingFuture;
    enterKeeping(s);
    try {
      return fn.call();
    } catch (Exception | Error e) {
      AsyncStackTraces.attach(e, this);
      throw e;
    } finally {
      leaveKeeping(s, oldFrame, oldResource, oldPending);
    }
  }

  /** Whether this resource's destroy was claimed (raised, or about to be). */
  final boolean destroyClaimed() {
    return (state & DESTROYED) != 0;
  }

  /** Whether a destroy hook was enabled when this resource was linked (it is watched). */
  final boolean watched() {
    return watchChunk != null;
  }

  /** Claims the one destroy of this resource; false if it was already claimed. */
  protected final boolean claimDestroy() {
    int s;
    do {
      s = state;
      if ((s & DESTROYED) != 0) {
        return false;
      }
    } while (!STATE.compareAndSet(this, s, s | DESTROYED));
    watchDone();
    return true;
  }

  /**
   * Sets {@code bits} in the state, and claims destroy with them when {@code unless} is clear (and
   * destroy not yet claimed): one atomic step, so that of two threads racing, each setting its own
   * bit and looking for the other's, at least one sees the other's.
   *
   * @return whether this call claimed destroy
   */
  final boolean setClaimingUnless(int bits, int unless) {
    int s;
    int n;
    do {
      s = state;
      n = s | bits;
      if ((s & (unless | DESTROYED)) == 0) {
        n |= DESTROYED;
      }
    } while (!STATE.compareAndSet(this, s, n));
    return claimed(s, n);
  }

  /** Sets {@code bits} in the state, one atomic step: the state before. */
  private int setState(int bits) {
    return (int) STATE.getAndBitwiseOr(this, bits);
  }

  /** Clears {@code bits} from the state, one atomic step: the state before. */
  private int clearState(int bits) {
    return (int) STATE.getAndBitwiseAnd(this, ~bits);
  }

  /**
   * A run begins that a cancellation or a completion may meet ({@link #RUNNING}): a periodic
   * task's, or a watched stage's. Its end is {@link #runEndedOver} (a stage's {@link
   * #clearClaimingWhen}); the cancellation calls {@link #markOver}.
   */
  final void markRunning() {
    setState(RUNNING);
  }

  /** The run {@link #markRunning} began ended: whether the resource was cancelled meanwhile. */
  final boolean runEndedOver() {
    return (clearState(RUNNING) & OVER) != 0;
  }

  /**
   * No run will start any more ({@link #OVER}): whether no run is in progress, so that the caller
   * ends the resource now (else the run's end does).
   */
  final boolean markOver() {
    return (setState(OVER) & RUNNING) == 0;
  }

  /**
   * Clears {@code bits} from the state, and claims destroy with it when {@code when} is set (and
   * destroy not yet claimed): one atomic step.
   *
   * @return whether this call claimed destroy
   */
  final boolean clearClaimingWhen(int bits, int when) {
    int s;
    int n;
    do {
      s = state;
      n = s & ~bits;
      if ((s & (when | DESTROYED)) == when) {
        n |= DESTROYED;
      }
    } while (!STATE.compareAndSet(this, s, n));
    return claimed(s, n);
  }

  private boolean claimed(int before, int after) {
    if ((after & ~before & DESTROYED) == 0) {
      return false;
    }
    watchDone();
    return true;
  }

  /** Destroy was claimed: the watch, if any, need not raise it. */
  private void watchDone() {
    DestroyWatch.Chunk c = watchChunk;
    if (c != null) {
      c.setDone(watchSlot);
      // Reachable until the slot is done: were it watched and collected between the claim and
      // this, the cleaner would raise its destroy a second time.
      java.lang.ref.Reference.reachabilityFence(this);
    }
  }

  /**
   * The resource will not run again (its last run ended, or it was rejected, cancelled or dropped):
   * raises destroy on this thread, once. Skipped outright, claim and all, when nothing could
   * observe it: no hook enabled and no watch to cancel.
   */
  final void ended() {
    if ((watchChunk != null || Hooks.active != null) && claimDestroy() && !silent) {
      Hooks.destroyNow(asyncId);
    }
  }
}
