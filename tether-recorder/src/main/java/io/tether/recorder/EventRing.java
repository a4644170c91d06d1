package io.tether.recorder;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The trace recorder's ring of event slots: any number of producers (the application's threads, in
 * hook callbacks) and one writer.
 *
 * <p>Invariants: a producer claims sequence number {@code tail} by compare-and-set, and only while
 * the writer is less than a whole ring behind ({@code tail - head <= mask}); otherwise, or once the
 * ring is closed, the event is dropped and counted, never lost silently. It fills the fields of
 * slot {@code sequence & mask}, then publishes them by storing {@code sequence + 1} in {@code
 * published[slot]} (an ordered store, after every field). The writer takes the event of sequence
 * {@code head} only once {@code published[slot]} says {@code head + 1}, so it never reads a slot
 * being filled nor a previous round's event; it clears the slot's references and then advances
 * {@code head} (a volatile write), which is what frees the slot for the producer a ring later.
 *
 * <p>Closing seals {@code tail}: one atomic update sets its {@link #SEALED} bit, after which no
 * compare-and-set from an unsealed value succeeds, so every producer either claimed its sequence
 * before the seal (and publishes it; the writer waits for it) or sees the bit and drops and counts
 * its event. The writer is done when the ring is sealed and {@code head} has reached the sealed
 * tail: no event offered in the instant of closing is lost uncounted.
 */
final class EventRing {
  final int mask;
  final byte[] kinds;
  final long[] ids;
  final long[] triggers;
  final long[] times;
  final Object[] threads;
  final Object[] types;
  final Object[] sites;

  /** Per slot: the numbered call site ({@code io.tether.internal.CallSiteIds}), or 0. */
  final int[] siteIds;

  /** Per slot: the sequence number + 1 of the event published in it. */
  final AtomicLongArray published;

  /** The bit of {@link #tail} that says the ring is closed; the rest is the sequence claimed. */
  static final long SEALED = 1L << 62;

  final AtomicLong tail = new AtomicLong();
  private volatile long head;
  private final AtomicLong dropped = new AtomicLong();

  /**
   * A ring of {@code capacity} slots.
   *
   * @throws IllegalArgumentException if {@code capacity} is not a power of two of at least 2
   */
  EventRing(int capacity) {
    if (capacity < 2 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException(
          "capacity must be a power of two, at least 2, was " + capacity);
    }
    mask = capacity - 1;
    kinds = new byte[capacity];
    ids = new long[capacity];
    triggers = new long[capacity];
    times = new long[capacity];
    threads = new Object[capacity];
    types = new Object[capacity];
    sites = new Object[capacity];
    siteIds = new int[capacity];
    published = new AtomicLongArray(capacity);
  }

  /**
   * Puts one event in the ring, or drops and counts it when the writer is a whole ring behind or
   * the ring is closed.
   *
   * @return whether this event filled the ring to a quarter of its slots, so that the writer, which
   *     otherwise looks by itself every few milliseconds, should be woken now
   */
  boolean offer(
      int kind,
      long id,
      long trigger,
      long time,
      Thread thread,
      String type,
      int siteId,
      Object site) {
    long sequence;
    do {
      sequence = tail.get();
      if ((sequence & SEALED) != 0 || sequence - head > mask) {
        dropped.incrementAndGet();
        return false;
      }
    } while (!tail.compareAndSet(sequence, sequence + 1));
    int slot = (int) sequence & mask;
    kinds[slot] = (byte) kind;
    ids[slot] = id;
    triggers[slot] = trigger;
    times[slot] = time;
    threads[slot] = thread;
    types[slot] = type;
    siteIds[slot] = siteId;
    sites[slot] = site;
    published.lazySet(slot, sequence + 1);
    return sequence - head == (mask + 1) >>> 2;
  }

  /** The writer's next event: its slot once published, or -1 if it is not (yet). Writer only. */
  int next() {
    long h = head;
    int slot = (int) h & mask;
    return published.get(slot) == h + 1 ? slot : -1;
  }

  /** The writer is done with the event in {@code slot}, which {@link #next} returned. */
  void release(int slot) {
    threads[slot] = null;
    types[slot] = null;
    sites[slot] = null;
    head = head + 1;
  }

  /** The sequence number of the writer's next event. */
  long head() {
    return head;
  }

  /** Whether every event claimed so far has been released by the writer. */
  boolean drained() {
    return (tail.get() & ~SEALED) == head;
  }

  /** Events dropped so far. */
  long dropped() {
    return dropped.get();
  }

  /**
   * From now on every event is dropped; the events claimed before are still published and taken.
   * Idempotent.
   */
  void close() {
    tail.getAndUpdate(t -> t | SEALED);
  }

  /** Whether {@link #close} was called. */
  boolean closed() {
    return (tail.get() & SEALED) != 0;
  }
}
