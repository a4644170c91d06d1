package io.tether.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Not public API. A bounded queue of {@code long}s, any number of producers and one consumer,
 * allocating nothing: the async ids of destroy events on their way to {@link DestroyThread}, which
 * a queue of objects would box.
 *
 * <p>Invariants: slot {@code i} holds a sequence number; a producer claims position {@code p} by
 * compare-and-set of {@link #tail} only when slot {@code p % size} reads {@code p} (free for that
 * position), writes the value, then publishes it by setting the sequence to {@code p + 1} (an
 * ordered store: the value is visible before the sequence). The consumer takes position {@code
 * head} when its slot reads {@code head + 1}, reads the value, and frees the slot for the next lap
 * with {@code head + size}. A full ring refuses the value ({@link #offer} returns false).
 *
 * <p>A consumer that sleeps when the ring is empty announces it ({@link #sleeping(boolean)}) and
 * then asks once more whether a position was claimed ({@link #pending()}: the claim, not the
 * publication); a producer asks {@link #wakeNeeded()} after its offer. Each side writes before it
 * reads the other's: the producer's claim is a compare-and-set of {@link #tail}, the consumer's
 * announcement a volatile write, and both reads are volatile, so (sequential consistency of
 * volatile accesses) at least one of them sees the other: the consumer finds the claim and does not
 * sleep, or the producer wakes it. No fence of its own: the claim is one. (Looking at the
 * publication instead would need a full fence after the sequence's ordered store, which the
 * producer's read of the flag may pass: a missed wake-up that jcstress found.)
 */
final class LongRing {
  private final long[] values;
  private final AtomicLongArray sequences;
  private final int mask;
  private final AtomicLong tail = new AtomicLong();

  /** The consumer's next position; read and written by the consumer alone. */
  private long head;

  /** Whether the consumer sleeps, or is about to, until woken. */
  private volatile boolean sleeping;

  /** A ring of {@code size} slots, a power of two. */
  LongRing(int size) {
    if (Integer.bitCount(size) != 1) {
      throw new IllegalArgumentException("size must be a power of two, was " + size);
    }
    values = new long[size];
    sequences = new AtomicLongArray(size);
    for (int i = 0; i < size; i++) {
      sequences.set(i, i);
    }
    mask = size - 1;
  }

  /** Adds {@code value}; false if the ring is full. Any thread. */
  boolean offer(long value) {
    long p = tail.get();
    while (true) {
      int i = (int) p & mask;
      long free = sequences.get(i) - p;
      if (free == 0) {
        if (tail.compareAndSet(p, p + 1)) {
          values[i] = value;
          sequences.lazySet(i, p + 1);
          return true;
        }
        p = tail.get();
      } else if (free < 0) {
        return false; // the slot still holds a value of the previous lap: full
      } else {
        p = tail.get(); // another producer took p
      }
    }
  }

  /**
   * Whether the consumer must be woken: ask after {@link #offer}, whose claim orders this read
   * after it. Any thread.
   */
  boolean wakeNeeded() {
    return sleeping;
  }

  /**
   * The consumer is about to sleep ({@code true}; ask {@link #pending()} once more after this) or
   * is awake again ({@code false}).
   */
  void sleeping(boolean asleep) {
    sleeping = asleep;
  }

  /**
   * Whether a position was claimed that the consumer has not taken: a value ready, or about to be
   * (its producer between claim and publication). The consumer only.
   */
  boolean pending() {
    return tail.get() != head;
  }

  /** Whether a value is ready to take. The consumer only. */
  boolean ready() {
    return sequences.get((int) head & mask) == head + 1;
  }

  /** Takes the next value; call only after {@link #ready()} returned true. The consumer only. */
  long take() {
    int i = (int) head & mask;
    long value = values[i];
    sequences.lazySet(i, head + mask + 1);
    head++;
    return value;
  }
}
