package io.tether.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Not public API. Raises destroy for a resource that became unreachable without being destroyed.
 *
 * <p>A resource is first held where its thread put it: a slot of a {@link Chunk} ({@value #CHUNK}
 * slots that one thread fills; its current chunk hangs on its {@link ExecutionState}), a plain
 * store and an ordered one of the chunk's count, no lock and no compare-and-set. Destroying the
 * resource sets the slot's done byte and clears the slot, so a done resource is not kept. Tether's
 * own daemon thread ({@code tether-cleaner}, started unlinked) sweeps the chunks every {@link
 * #SWEEP_MILLIS} while watches are made; a resource still in its slot after {@link Held#age} sweeps
 * (most are destroyed long before) gets a watch, a phantom reference made there and then, and
 * leaves its slot, so that it can become unreachable. Only the id is in the watch, never the
 * resource, or the resource could never become unreachable; the cleaner raises destroy for the
 * watches the collector enqueues that are not done. A chunk is dropped once it is complete (full,
 * or its thread ended) and every resource in it is done or watched; watches are on the sweeper's
 * list of long-lived watches, swept less often.
 *
 * <p>Invariants: a chunk is on {@link Held}'s lists (pending, then the sweeper's) from its creation
 * until it is dropped. Only the thread that made a chunk ({@link Chunk#owner}) writes its slots
 * with resources, each before the ordered store of {@code filled} that publishes it, and never
 * writes a slot twice; other writes of a slot only clear it: by the resource's destroy, after its
 * done byte is set, or by the sweeper once the resource has its watch. So a slot below {@code
 * filled} that reads empty holds a resource destroyed or already watched. A slot's done byte goes
 * from 0 to 1 once, and a watch made before it was set sees it when enqueued. {@code processed} and
 * the sweeper's counts are the sweeper's alone; its lists are guarded by {@link Held}'s lock.
 */
final class DestroyWatch extends PhantomReference<ResourceCore> {

  /** Slots a chunk. */
  static final int CHUNK = 64;

  /** Sweeps a resource stays in its slot, at least, before it gets a watch. */
  private static final int AGE_SWEEPS = 2;

  private static final Held HELD = new Held(AGE_SWEEPS);
  private static final ReferenceQueue<ResourceCore> UNREACHABLE = new ReferenceQueue<>();

  /** How often the chunks are swept while watches are made; idle, less and less often. */
  private static final long SWEEP_MILLIS = 10;

  private static final long MAX_SWEEP_MILLIS = 1000;

  /** How often, in sweeps, the sweeper's own list of long-lived watches is swept. */
  private static final int OLD_EVERY = 50;

  static {
    Nesting.startOwnThread("tether-cleaner", DestroyWatch::clean);
  }

  private final long asyncId;
  private final Chunk chunk;
  private final int slot;

  /** The next watch on the long-lived list; guarded by {@link Held}'s lock. */
  private DestroyWatch next;

  private DestroyWatch(ResourceCore resource, Chunk chunk, int slot) {
    super(resource, UNREACHABLE);
    this.asyncId = resource.asyncId;
    this.chunk = chunk;
    this.slot = slot;
  }

  /**
   * Holds {@code resource} in the chunk of the thread whose state is {@code s} (the caller's),
   * which becomes {@code s.watchChunk} if the old one was full: the resource itself, or, {@code
   * now}, its watch.
   *
   * @return the slot, in {@code s.watchChunk}
   */
  static int watch(ResourceCore resource, ExecutionState s, boolean now) {
    Chunk c = s.watchChunk;
    int slot = c == null ? -1 : c.next();
    if (slot < 0) {
      c = HELD.newChunk();
      s.watchChunk = c;
      slot = c.next();
    }
    c.put(slot, now ? new DestroyWatch(resource, c, slot) : resource);
    return slot;
  }

  /**
   * Sees out every slot of every chunk now, whatever its age: no resource is held by its slot
   * afterwards, only by a watch. For the context leak detector, which must not see a resource kept
   * alive by Tether.
   */
  static void seeOutAll() {
    HELD.seeOutAll();
  }

  boolean isDone() {
    return chunk.isDone(slot);
  }

  /** Resources watched and not done: for tests. Sweeps first. */
  static int held() {
    return HELD.held();
  }

  /** Slots the sweeper has yet to see out, done or not: for tests (the cleaner's sweeps do). */
  static int unswept() {
    return HELD.unswept();
  }

  /** One thread's slots and their done bytes; see the class invariants. */
  static final class Chunk {
    private static final VarHandle FILLED;
    private static final VarHandle DONE = MethodHandles.arrayElementVarHandle(byte[].class);

    static {
      try {
        FILLED = MethodHandles.lookup().findVarHandle(Chunk.class, "filled", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final Thread owner;

    /** A slot holds a resource or its watch, until the resource is done or the sweeper sees it. */
    private final Object[] slots = new Object[CHUNK];

    private final byte[] done = new byte[CHUNK];

    /** Slots filled; written by the owner alone, through {@link #FILLED}. */
    @SuppressWarnings("unused")
    private volatile int filled;

    /** The sweeper's: slots it has seen out, and {@link #filled} at its last two visits. */
    int processed;

    int seen;
    int seenBefore;

    /** The next chunk on the pending stack or the sweeper's list. */
    Chunk next;

    Chunk(Thread owner) {
      this.owner = owner;
    }

    /** The next slot, or -1 when full. Only the owner calls this, then {@link #put}. */
    int next() {
      int n = (int) FILLED.get(this);
      return n == CHUNK ? -1 : n;
    }

    /** Fills slot {@code n}, from {@link #next}, with a resource or its watch, and publishes it. */
    void put(int n, Object resourceOrWatch) {
      slots[n] = resourceOrWatch;
      FILLED.setRelease(this, n + 1);
    }

    /** Puts {@code r} in the next slot: the slot, or -1 when full. Only the owner calls this. */
    int add(ResourceCore r) {
      int n = next();
      if (n >= 0) {
        put(n, r);
      }
      return n;
    }

    int filled() {
      return filled;
    }

    /** The resource in slot {@code i} was destroyed: marks it done and lets go of it. */
    void setDone(int i) {
      DONE.setRelease(done, i, (byte) 1);
      slots[i] = null;
    }

    boolean isDone(int i) {
      return (byte) DONE.getAcquire(done, i) != 0;
    }

    /** Whether slot {@code i} still holds {@code r} or its watch: for tests. */
    boolean holds(int i, ResourceCore r) {
      Object o = slots[i];
      return o == r || o instanceof DestroyWatch && ((DestroyWatch) o).refersTo(r);
    }
  }

  /**
   * Where resources are held: the chunks, and the sweeper's list of watches. One instance holds
   * Tether's; tests make their own.
   */
  static final class Held {
    /** Sweeps a resource stays in its slot before it gets a watch (0 in tests: the first sweep). */
    final int age;

    /** Chunks made since the last sweep, pushed by their owners. */
    private final AtomicReference<Chunk> pending = new AtomicReference<>();

    /** Chunks the sweeper took from {@link #pending}; guarded by this object's lock. */
    private Chunk chunks;

    /** Watches of resources that outlived their slots; guarded by this object's lock. */
    private DestroyWatch old;

    Held(int age) {
      if (age < 0 || age > 2) {
        throw new IllegalArgumentException("age must be 0 to 2 sweeps, was " + age);
      }
      this.age = age;
    }

    /** A new chunk, held from now on; the caller's thread owns it. */
    Chunk newChunk() {
      Chunk c = new Chunk(Thread.currentThread());
      Chunk top;
      do {
        top = pending.get();
        c.next = top;
      } while (!pending.compareAndSet(top, c));
      return c;
    }

    /** Resources held and not done. Sweeps first. */
    synchronized int held() {
      sweep(true);
      int n = 0;
      for (Chunk c = chunks; c != null; c = c.next) {
        int filled = c.filled();
        for (int i = c.processed; i < filled; i++) {
          n += c.isDone(i) ? 0 : 1;
        }
      }
      for (DestroyWatch w = old; w != null; w = w.next) {
        n++;
      }
      return n;
    }

    /**
     * Whether {@code r} is held (after a {@link #sweep}): in a slot of a chunk kept, or watched on
     * the long-lived list.
     */
    synchronized boolean holds(ResourceCore r) {
      for (Chunk list : new Chunk[] {chunks, pending.get()}) {
        for (Chunk c = list; c != null; c = c.next) {
          for (int i = 0; i < c.filled(); i++) {
            if (c.holds(i, r)) {
              return true;
            }
          }
        }
      }
      for (DestroyWatch w = old; w != null; w = w.next) {
        if (w.refersTo(r)) {
          return true;
        }
      }
      return false;
    }

    /** Chunks held, pending or swept: for tests. */
    synchronized int chunks() {
      int n = 0;
      for (Chunk list : new Chunk[] {chunks, pending.get()}) {
        for (Chunk c = list; c != null; c = c.next) {
          n++;
        }
      }
      return n;
    }

    /** Slots not yet seen out by the sweeper, done or not. */
    synchronized int unswept() {
      int n = 0;
      for (Chunk c = chunks; c != null; c = c.next) {
        n += c.filled() - c.processed;
      }
      for (Chunk c = pending.get(); c != null; c = c.next) {
        n += c.filled();
      }
      return n;
    }

    /**
     * Visits every chunk: sees out its slots {@link #age} sweeps old (a resource still there gets a
     * watch, on the long-lived list) and drops a complete chunk whose resources are all done or
     * watched; with {@code all}, drops the done watches of the long-lived list too.
     *
     * @return how many slots were seen out (the long-lived list not counted: a watch there must not
     *     keep the sweeper from slowing down)
     */
    synchronized int sweep(boolean all) {
      return sweep(all, age);
    }

    /** Sees out every slot, whatever its age. */
    synchronized void seeOutAll() {
      sweep(false, 0);
    }

    private int sweep(boolean all, int age) {
      if (all) {
        DestroyWatch list = old;
        old = null;
        while (list != null) {
          DestroyWatch next = list.next;
          keepIfLive(list);
          list = next;
        }
      }
      Chunk fresh = pending.getAndSet(null);
      while (fresh != null) {
        Chunk next = fresh.next;
        fresh.next = chunks;
        chunks = fresh;
        fresh = next;
      }
      int left = 0;
      Chunk prev = null;
      for (Chunk c = chunks; c != null; c = c.next) {
        int n = visit(c, age);
        if (n >= 0) {
          left += n;
          if (prev == null) {
            chunks = c.next;
          } else {
            prev.next = c.next;
          }
        } else {
          left += -n - 1;
          prev = c;
        }
      }
      return left;
    }

    /**
     * One chunk's visit. Returns the slots seen out: as is when the chunk is to be dropped, else as
     * {@code -1 - n}.
     */
    private int visit(Chunk c, int age) {
      int f = c.filled();
      boolean complete = f == CHUNK;
      if (!complete && !c.owner.isAlive()) {
        complete = true;
        f = c.filled(); // read again: the owner filled its last slot before it ended
      }
      int aged = age == 0 ? f : age == 1 ? c.seen : c.seenBefore;
      c.seenBefore = c.seen;
      c.seen = f;
      int from = c.processed;
      for (int i = from; i < aged; i++) {
        Object o = c.isDone(i) ? null : c.slots[i];
        if (o != null) { // outlived its slot: watched from now on (null: destroyed meanwhile)
          DestroyWatch w =
              o instanceof DestroyWatch
                  ? (DestroyWatch) o
                  : new DestroyWatch((ResourceCore) o, c, i);
          c.slots[i] = null;
          w.next = old;
          old = w;
        }
      }
      if (aged > from) {
        c.processed = aged;
      }
      int seenOut = Math.max(aged - from, 0);
      if (!complete) {
        return -1 - seenOut;
      }
      for (int i = c.processed; i < f; i++) {
        if (!c.isDone(i)) {
          return -1 - seenOut; // complete, but a resource is not old enough to watch yet
        }
      }
      return seenOut + (f - c.processed);
    }

    private void keepIfLive(DestroyWatch w) {
      if (w.isDone()) {
        w.next = null;
      } else {
        w.next = old;
        old = w;
      }
    }
  }

  /**
   * The cleaner: raises destroy for watches enqueued by the collector that are not done, and sweeps
   * the chunks every {@link #SWEEP_MILLIS} while there is something to sweep, less often (up to
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
            w.chunk.setDone(w.slot);
            Hooks.destroyNow(w.asyncId);
          }
          continue;
        }
        int taken = HELD.sweep(++sweeps % OLD_EVERY == 0);
        wait = taken > 0 ? SWEEP_MILLIS : Math.min(wait * 2, MAX_SWEEP_MILLIS);
        nextSweep = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
      } catch (Throwable t) {
        // a daemon: it runs as long as the JVM does; destroyNow reports hook failures itself
      }
    }
  }
}
