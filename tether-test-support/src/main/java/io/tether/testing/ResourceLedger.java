package io.tether.testing;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.AsyncResource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * An async hook that checks the life of every resource over a long run, in memory that does not
 * grow with the number of resources that lived and died: a bit per async id for its {@code init}
 * and one for its {@code destroy} (about 2.5 MB for ten million resources), instead of a map entry
 * per resource. It finds an id given to two {@code init}s, a resource destroyed twice and, for the
 * resources made after {@link #enable()}, one destroyed without an {@code init}; each is counted
 * and the first {@value #KEPT} of each kind are kept by id.
 *
 * <pre>{@code
 * ResourceLedger ledger = ResourceLedger.enable();
 * try {
 *   ... the load ...
 * } finally {
 *   ledger.disable();
 * }
 * assertThat(ledger.destroyedTwice()).isEmpty();
 * assertThat(ledger.destroyedWithoutInit()).isEmpty();
 * }</pre>
 */
public final class ResourceLedger implements AsyncHookCallbacks {

  /** How many ids of each kind of fault are kept; the rest are only counted. */
  public static final int KEPT = 100;

  private static final int CHUNK_SHIFT = 20;
  private static final int CHUNK_IDS = 1 << CHUNK_SHIFT;
  private static final int CHUNKS = 1 << 14;

  /** What a chunk not made yet reads as; never written. */
  private static final AtomicLongArray NOTHING_MARKED = new AtomicLongArray(CHUNK_IDS / 64);

  private final long firstId;
  private final AtomicReferenceArray<AtomicLongArray> initBits = new AtomicReferenceArray<>(CHUNKS);
  private final AtomicReferenceArray<AtomicLongArray> destroyBits =
      new AtomicReferenceArray<>(CHUNKS);

  /** Ids before the first one, or past what the bits cover: few, so kept in a set. */
  private final Set<Long> otherInits = ConcurrentHashMap.newKeySet();

  private final Set<Long> otherDestroys = ConcurrentHashMap.newKeySet();
  private final AtomicLong inits = new AtomicLong();
  private final AtomicLong destroys = new AtomicLong();
  private final Tally<Long> initialisedTwice = new Tally<>(KEPT);
  private final Tally<Long> destroyedTwice = new Tally<>(KEPT);
  private final Tally<Long> destroyedWithoutInit = new Tally<>(KEPT);
  private final AsyncHook hook = AsyncHooks.createHook(this);

  private ResourceLedger(long firstId) {
    this.firstId = firstId;
  }

  /**
   * Starts a ledger: every resource made from now on must be initialised once and destroyed at most
   * once; a resource made before may be destroyed during the run without an {@code init} the ledger
   * saw, but not twice.
   *
   * @return the ledger, enabled
   */
  public static ResourceLedger enable() {
    // Async ids increase: a resource made now marks where the ledger's own resources begin.
    AsyncResource mark = new AsyncResource("LEDGER_MARK", AsyncHooks.executionAsyncId(), true);
    ResourceLedger ledger = new ResourceLedger(mark.asyncId() + 1);
    mark.emitDestroy();
    ledger.hook.enable();
    return ledger;
  }

  /** Stops watching; what was seen stays. Idempotent. */
  public void disable() {
    hook.disable();
  }

  @Override
  public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
    inits.incrementAndGet();
    if (!mark(initBits, otherInits, asyncId)) {
      initialisedTwice.add(asyncId);
    }
  }

  @Override
  public void destroy(long asyncId) {
    destroys.incrementAndGet();
    if (!mark(destroyBits, otherDestroys, asyncId)) {
      destroyedTwice.add(asyncId);
    }
    if (asyncId >= firstId && !marked(initBits, otherInits, asyncId)) {
      destroyedWithoutInit.add(asyncId);
    }
  }

  /** How many {@code init}s were seen. */
  public long inits() {
    return inits.get();
  }

  /** How many {@code destroy}s were seen. */
  public long destroys() {
    return destroys.get();
  }

  /** The ids given to more than one {@code init} (the first {@value #KEPT}). */
  public List<Long> initialisedTwice() {
    return initialisedTwice.first();
  }

  /** The ids destroyed more than once (the first {@value #KEPT}). */
  public List<Long> destroyedTwice() {
    return destroyedTwice.first();
  }

  /**
   * The ids made after {@link #enable()} destroyed without an {@code init} (first {@value #KEPT}).
   */
  public List<Long> destroyedWithoutInit() {
    return destroyedWithoutInit.first();
  }

  /** One line with the counts, for a run's output. */
  @Override
  public String toString() {
    return inits()
        + " inits, "
        + destroys()
        + " destroys, "
        + initialisedTwice.count()
        + " ids initialised twice, "
        + destroyedTwice.count()
        + " destroyed twice, "
        + destroyedWithoutInit.count()
        + " destroyed without an init";
  }

  /** Sets the id's bit; false when it was set already. */
  private boolean mark(AtomicReferenceArray<AtomicLongArray> bits, Set<Long> other, long id) {
    AtomicLongArray words = chunk(bits, id, true);
    if (words == null) {
      return other.add(id);
    }
    int bit = (int) ((id - firstId) & (CHUNK_IDS - 1));
    long mask = 1L << (bit & 63);
    return (words.getAndAccumulate(bit >>> 6, mask, (a, b) -> a | b) & mask) == 0;
  }

  private boolean marked(AtomicReferenceArray<AtomicLongArray> bits, Set<Long> other, long id) {
    AtomicLongArray words = chunk(bits, id, false);
    if (words == null) {
      return other.contains(id);
    }
    int bit = (int) ((id - firstId) & (CHUNK_IDS - 1));
    return (words.get(bit >>> 6) & (1L << (bit & 63))) != 0;
  }

  /** The chunk of bits that holds the id, made if asked; null for an id the bits do not cover. */
  private AtomicLongArray chunk(AtomicReferenceArray<AtomicLongArray> bits, long id, boolean make) {
    long offset = id - firstId;
    if (offset < 0 || (offset >>> CHUNK_SHIFT) >= CHUNKS) {
      return null;
    }
    int index = (int) (offset >>> CHUNK_SHIFT);
    AtomicLongArray words = bits.get(index);
    if (words == null) {
      if (!make) {
        return NOTHING_MARKED;
      }
      AtomicLongArray made = new AtomicLongArray(CHUNK_IDS / 64);
      words = bits.compareAndSet(index, null, made) ? made : bits.get(index);
    }
    return words;
  }
}
