package io.tether.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Not public API. Raises destroy for a resource that became unreachable without being destroyed.
 * Holds only the id, never the resource, or the resource could never become unreachable.
 *
 * <p>A phantom reference to the resource, which must stay reachable itself until the collector
 * enqueues it. It is held in a {@link Chunk}: {@value #CHUNK} slots that one thread fills (its
 * current chunk hangs on its {@link ExecutionState}), with a byte a slot that says the watch is
 * done. Cancelling only sets that byte, an ordered store: no lock, nothing unlinked on the
 * resource's hot path. Tether's own daemon thread ({@code tether-cleaner}, started unlinked) raises
 * destroy for the enqueued that are not done, and sweeps the chunks every {@link #SWEEP_MILLIS}
 * while watches are made: it reads a chunk's done bytes (one or two cache lines for 64 watches; the
 * watches themselves, scattered over the heap, are not touched) and drops a chunk once it is
 * complete and its watches are done. A watch still live a few sweeps after its chunk completed
 * moves to the sweeper's own list of long-lived watches, swept less often. A done watch is thus
 * held until the sweep after its chunk completes.
 *
 * <p>Invariants: a chunk is on {@link Held}'s list (pending, then the sweeper's) from its creation
 * until it is dropped, so every watch in it is reachable. Only the thread that made a chunk
 * reserves its slots, each by a compare-and-set of {@code filled}, and the sweeper seals a chunk
 * whose owner made no watch for a whole sweep by the compare-and-set that sets {@link
 * Chunk#SEALED}: a reservation either lands before the seal (and the sweeper counts its slot) or
 * fails (and the owner starts a new chunk). A chunk is complete when full or sealed; no slot is
 * reserved in it after that. A slot's done byte goes from 0 to 1 once; its watch reference is
 * written by the owner after the reservation (the sweeper keeps a chunk whose reserved slot it
 * still reads as empty). The sweeper's list and the long-lived list are guarded by {@link Held}'s
 * lock.
 */
final class DestroyWatch extends PhantomReference<ResourceCore> {

  /** Watches a chunk. */
  static final int CHUNK = 64;

  private static final Held HELD = new Held();
  private static final ReferenceQueue<ResourceCore> UNREACHABLE = new ReferenceQueue<>();

  /** How often the chunks are swept while watches are made; idle, less and less often. */
  private static final long SWEEP_MILLIS = 10;

  private static final long MAX_SWEEP_MILLIS = 1000;

  /** How often, in sweeps, the sweeper's own list of long-lived watches is swept. */
  private static final int OLD_EVERY = 50;

  /** Sweeps a complete chunk with live watches is kept before they move to the long-lived list. */
  private static final int CHUNK_SWEEPS = 3;

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

  /** Watches {@code resource}, linked on the thread whose state is {@code s}. */
  static DestroyWatch watch(ResourceCore resource, ExecutionState s) {
    Chunk c = s.watchChunk;
    DestroyWatch w = c == null ? null : HELD.add(resource, c);
    while (w == null) { // full, or sealed while this thread made no watch: a new one
      c = HELD.newChunk();
      s.watchChunk = c;
      w = HELD.add(resource, c);
    }
    return w;
  }

  /** Destroy was raised another way: the collector need not tell us any more. */
  void cancel() {
    chunk.setDone(slot);
  }

  boolean isDone() {
    return chunk.isDone(slot);
  }

  /** Watches held and not done: for tests. Sweeps first. */
  static int held() {
    return HELD.held();
  }

  /** Watches in chunks not yet dropped, done or not: for tests (the cleaner's sweeps drop them). */
  static int unswept() {
    return HELD.unswept();
  }

  /** The slots of one thread's watches and their done bytes; see the class invariants. */
  static final class Chunk {
    /** Set in {@link #filled} by the sweeper: no more slots are reserved here. */
    static final int SEALED = 1 << 30;

    private static final VarHandle FILLED;
    private static final VarHandle DONE = MethodHandles.arrayElementVarHandle(byte[].class);

    static {
      try {
        FILLED = MethodHandles.lookup().findVarHandle(Chunk.class, "filled", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final Held held;
    final DestroyWatch[] watches = new DestroyWatch[CHUNK];
    private final byte[] done = new byte[CHUNK];

    /** Slots reserved, with {@link #SEALED} once sealed; through {@link #FILLED}. */
    @SuppressWarnings("unused")
    private volatile int filled;

    /** The sweeper's: {@link #filled} at its last visit, and sweeps since the chunk completed. */
    int seen = -1;

    int completeSweeps;

    /** The next chunk on the pending stack or the sweeper's list. */
    Chunk next;

    Chunk(Held held) {
      this.held = held;
    }

    /** The next slot, reserved; -1 when full or sealed. Only the chunk's owner calls this. */
    int reserve() {
      int n = filled;
      return n < CHUNK && FILLED.compareAndSet(this, n, n + 1) ? n : -1;
    }

    /** Seals the chunk if {@link #filled} is still {@code n}. Only the sweeper calls this. */
    boolean seal(int n) {
      return FILLED.compareAndSet(this, n, n | SEALED);
    }

    int filled() {
      return filled;
    }

    void setDone(int i) {
      DONE.setRelease(done, i, (byte) 1);
    }

    boolean isDone(int i) {
      return (byte) DONE.getAcquire(done, i) != 0;
    }
  }

  /**
   * Where watches are held: the chunks, and the sweeper's list of those that outlived their chunk.
   * One instance holds Tether's; tests make their own.
   */
  static final class Held {
    /** Chunks made since the last sweep, pushed by their owners. */
    private final AtomicReference<Chunk> pending = new AtomicReference<>();

    /** Chunks the sweeper took from {@link #pending}; guarded by this object's lock. */
    private Chunk chunks;

    /** Watches that outlived their chunk; guarded by this object's lock. */
    private DestroyWatch old;

    /** A new chunk, held from now on; the caller's thread owns it. */
    Chunk newChunk() {
      Chunk c = new Chunk(this);
      Chunk top;
      do {
        top = pending.get();
        c.next = top;
      } while (!pending.compareAndSet(top, c));
      return c;
    }

    /**
     * A watch of {@code resource} in a slot of {@code c} (a chunk of this, owned by the caller's
     * thread), or {@code null} when {@code c} is full, sealed or another's.
     */
    DestroyWatch add(ResourceCore resource, Chunk c) {
      int i = c.held == this ? c.reserve() : -1;
      if (i < 0) {
        return null;
      }
      DestroyWatch w = new DestroyWatch(resource, c, i);
      c.watches[i] = w;
      return w;
    }

    /** Watches held and not done. Sweeps first. */
    synchronized int held() {
      sweep(true);
      int n = 0;
      for (Chunk c = chunks; c != null; c = c.next) {
        int filled = c.filled() & ~Chunk.SEALED;
        for (int i = 0; i < filled; i++) {
          n += c.isDone(i) ? 0 : 1;
        }
      }
      for (DestroyWatch w = old; w != null; w = w.next) {
        n++;
      }
      return n;
    }

    /** Whether {@code w} is held (after a {@link #sweep}): in a chunk kept, or on the old list. */
    synchronized boolean holds(DestroyWatch w) {
      for (Chunk c = chunks; c != null; c = c.next) {
        if (c == w.chunk) {
          return true;
        }
      }
      for (Chunk c = pending.get(); c != null; c = c.next) {
        if (c == w.chunk) {
          return true;
        }
      }
      for (DestroyWatch o = old; o != null; o = o.next) {
        if (o == w) {
          return true;
        }
      }
      return false;
    }

    /** Watches in chunks not dropped yet, done or not. */
    synchronized int unswept() {
      int n = 0;
      for (Chunk c = chunks; c != null; c = c.next) {
        n += c.filled() & ~Chunk.SEALED;
      }
      for (Chunk c = pending.get(); c != null; c = c.next) {
        n += c.filled() & ~Chunk.SEALED;
      }
      return n;
    }

    /**
     * Visits every chunk: seals one whose owner made no watch since the last visit, drops a
     * complete one whose watches are done, and moves the live watches of one complete for {@link
     * #CHUNK_SWEEPS} sweeps to the long-lived list; with {@code all}, drops the done watches of
     * that list too.
     *
     * @return how many watches left the chunks (the long-lived list not counted: a watch there must
     *     not keep the sweeper from slowing down)
     */
    synchronized int sweep(boolean all) {
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
        int n = visit(c);
        if (n < 0) {
          prev = c;
        } else {
          left += n;
          if (prev == null) {
            chunks = c.next;
          } else {
            prev.next = c.next;
          }
        }
      }
      return left;
    }

    /** One chunk's visit: how many watches left it when it is to be dropped, else -1. */
    private int visit(Chunk c) {
      int f = c.filled();
      int n = f & ~Chunk.SEALED;
      if ((f & Chunk.SEALED) == 0 && n < CHUNK) {
        if (n != c.seen || !c.seal(n)) {
          c.seen = n; // its owner is still filling it
          return -1;
        }
      }
      boolean live = false;
      for (int i = 0; i < n && !live; i++) {
        live = !c.isDone(i);
      }
      if (live) {
        if (++c.completeSweeps < CHUNK_SWEEPS) {
          return -1;
        }
        for (int i = 0; i < n; i++) {
          if (!c.isDone(i) && c.watches[i] == null) {
            return -1; // reserved, not yet written by its owner: next time
          }
        }
        for (int i = 0; i < n; i++) {
          if (!c.isDone(i)) {
            keepIfLive(c.watches[i]);
          }
        }
      }
      return n;
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
            w.cancel();
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
