package io.tether.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Not public API. Raises destroy for a resource that became unreachable without being destroyed.
 * Holds only the id, never the resource, or the resource could never become unreachable.
 *
 * <p>A phantom reference to the resource, which must stay reachable itself until the collector
 * enqueues it: it is pushed on one of {@link #STRIPES} lock-free stacks (the stripe by the linking
 * thread, so threads rarely meet on one), by one compare-and-set. Cancelling only marks it done, an
 * ordered store: no lock, nothing unlinked on the resource's hot path. Tether's own daemon thread
 * ({@code tether-cleaner}, started unlinked) raises destroy for the enqueued that are not done, and
 * sweeps the stacks: it takes a stack whole (one swap), drops the done watches and keeps the others
 * on a list of its own, swept again less often. A done watch is thus held until the next sweep, at
 * most {@link #SWEEP_MILLIS} later while watches are being made.
 *
 * <p>Invariants: a watch's {@code next} is written by its pusher before the compare-and-set that
 * publishes it, and after that only by a sweeper (holding its {@link Stacks}' lock), which owns
 * every watch it took off a stack; {@code done} goes false to true once (a second setting is
 * harmless).
 */
final class DestroyWatch extends PhantomReference<ResourceCore> {
  private static final int STRIPES = 16;
  private static final Stacks STACKS = new Stacks();
  private static final ReferenceQueue<ResourceCore> UNREACHABLE = new ReferenceQueue<>();

  /** How often the stacks are swept while watches are made; idle, less and less often. */
  private static final long SWEEP_MILLIS = 10;

  private static final long MAX_SWEEP_MILLIS = 1000;

  /** How often, in sweeps, the sweeper's own list of long-lived watches is swept. */
  private static final int OLD_EVERY = 50;

  private static final VarHandle DONE;

  static {
    try {
      DONE = MethodHandles.lookup().findVarHandle(DestroyWatch.class, "done", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
    Nesting.startOwnThread("tether-cleaner", DestroyWatch::clean);
  }

  private final long asyncId;

  /** The watch below this one on its stack or list (see the class invariants). */
  private DestroyWatch next;

  @SuppressWarnings("unused") // through DONE
  private boolean done;

  /** A watch of {@code resource}, not yet held anywhere: {@link Stacks#push} it. */
  DestroyWatch(ResourceCore resource) {
    super(resource, UNREACHABLE);
    asyncId = resource.asyncId;
  }

  /** Watches {@code resource}, linked on the thread whose state is {@code s}. */
  static DestroyWatch watch(ResourceCore resource, ExecutionState s) {
    DestroyWatch w = new DestroyWatch(resource);
    STACKS.push(w, s.stripe);
    return w;
  }

  /** Destroy was raised another way: the collector need not tell us any more. */
  void cancel() {
    DONE.setRelease(this, true);
  }

  boolean isDone() {
    return (boolean) DONE.getAcquire(this);
  }

  /** Watches held and not done: for tests. Sweeps first. */
  static int held() {
    return STACKS.held();
  }

  /** Watches on the stacks, not yet swept: for tests (the cleaner's own sweeps empty them). */
  static int onStacks() {
    return STACKS.onStacks();
  }

  /**
   * Where watches are held: {@link #STRIPES} lock-free stacks that any thread pushes on, and the
   * sweeper's list of those that outlived a sweep. One instance holds Tether's; tests make their
   * own.
   */
  static final class Stacks {
    private final AtomicReferenceArray<DestroyWatch> stacks = new AtomicReferenceArray<>(STRIPES);

    /** Watches that outlived a sweep, guarded by this object's lock. */
    private DestroyWatch old;

    /** Pushes {@code w} on the stack of {@code stripe} (any number; its low bits choose). */
    void push(DestroyWatch w, int stripe) {
      int i = stripe & (STRIPES - 1);
      DestroyWatch top;
      do {
        top = stacks.get(i);
        w.next = top;
      } while (!stacks.compareAndSet(i, top, w));
    }

    /** Watches held and not done. Sweeps first. */
    synchronized int held() {
      sweep(true);
      int n = 0;
      for (DestroyWatch w = old; w != null; w = w.next) {
        n++;
      }
      return n;
    }

    /** Whether {@code w} is held on the sweeper's list (after a {@link #sweep}). */
    synchronized boolean holds(DestroyWatch w) {
      for (DestroyWatch o = old; o != null; o = o.next) {
        if (o == w) {
          return true;
        }
      }
      return false;
    }

    /** Watches on the stacks, not yet swept, done or not: for tests. */
    synchronized int onStacks() {
      int n = 0;
      for (int i = 0; i < STRIPES; i++) {
        for (DestroyWatch w = stacks.get(i); w != null; w = w.next) {
          n++;
        }
      }
      return n;
    }

    /**
     * Takes every stack whole and keeps its watches that are not done on the sweeper's list; with
     * {@code all}, drops the done ones of that list too.
     *
     * @return how many watches were taken off the stacks (the sweeper's list not counted: a
     *     long-lived watch there must not keep the sweeper from slowing down)
     */
    synchronized int sweep(boolean all) {
      if (all) {
        DestroyWatch list = old;
        old = null;
        keep(list);
      }
      int taken = 0;
      for (int i = 0; i < STRIPES; i++) {
        DestroyWatch list = stacks.get(i) == null ? null : stacks.getAndSet(i, null);
        taken += keep(list);
      }
      return taken;
    }

    /** Moves the watches of {@code list} that are not done to the sweeper's list; how many. */
    private int keep(DestroyWatch list) {
      int n = 0;
      DestroyWatch w = list;
      while (w != null) {
        DestroyWatch next = w.next;
        if (w.isDone()) {
          w.next = null;
        } else {
          w.next = old;
          old = w;
        }
        n++;
        w = next;
      }
      return n;
    }
  }

  /**
   * The cleaner: raises destroy for watches enqueued by the collector that are not done, and sweeps
   * the stacks every {@link #SWEEP_MILLIS} while there is something to sweep, less often (up to
   * once a second) while there is not.
   */
  private static void clean() {
    long wait = SWEEP_MILLIS;
    long nextSweep = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
    int sweeps = 0;
    while (true) {
      try {
        long left = TimeUnit.NANOSECONDS.toMillis(nextSweep - System.nanoTime());
        DestroyWatch w = left > 0 ? (DestroyWatch) UNREACHABLE.remove(left) : null;
        if (w != null) {
          if (!w.isDone()) {
            w.cancel();
            Hooks.destroyNow(w.asyncId);
          }
          continue;
        }
        int taken = STACKS.sweep(++sweeps % OLD_EVERY == 0);
        wait = taken > 0 ? SWEEP_MILLIS : Math.min(wait * 2, MAX_SWEEP_MILLIS);
        nextSweep = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
      } catch (Throwable t) {
        // a daemon: it runs as long as the JVM does; destroyNow reports hook failures itself
      }
    }
  }
}
