package io.tether.recorder;

import io.tether.internal.ExecutionState;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One platform thread's events for the trace recorder: a queue with one producer (that thread, in
 * hook callbacks) and one consumer (the writer), so that recording an event touches only memory the
 * thread owns: no other thread's claims, no shared counter, half a cache line of the thread's own
 * array for the event's numbers.
 *
 * <p>The queue is a chain of rings ({@link Segment}), each twice the size of the one before, from
 * {@link #INITIAL_CAPACITY} events up to the recorder's capacity: a thread that records little
 * keeps a small one, a busy thread whose events arrive faster than the writer's passes (the writer
 * is a thread like any other, and waits for a CPU when the application's threads take them all)
 * grows its own instead of dropping.
 *
 * <p>Invariants: an event is four words of a segment's {@code words} (kind and call site number,
 * async id, trigger id, time) and, for an {@code init}, two references of its {@code refs} (its
 * type and the stack frame of its call site, or {@code null}). The producer fills the slot of
 * sequence number {@code tail} only while the writer is less than a whole segment behind ({@code
 * tail - head <= mask}), then publishes it by a compare-and-set of {@code tail} to {@code tail +
 * 1}, which orders every field before it. A full segment that may still grow is retired: the
 * producer links the next segment, then sets the {@link #RETIRED} bit of {@code tail} by
 * compare-and-set; from then on it writes to the next segment only. The writer reads the events
 * below the {@code tail} it read, clears their references, stores {@code head} (a release store),
 * which frees those slots for the producer, and moves to the next segment once it has taken every
 * event of a retired one. A segment that may not grow (at the recorder's capacity) drops and counts
 * the events that do not fit.
 *
 * <p>Closing seals the segment the producer writes to: the writer sets its {@link EventRing#SEALED}
 * bit of {@code tail} by compare-and-set, following retired segments to the last one. Every
 * publication and every retirement is a compare-and-set of that word, so each one either comes
 * before the seal, and the writer, which takes every event up to the sealed tail, writes the event
 * (or follows the retirement), or fails because of it, and the event, offered after the recording
 * ended, is dropped and counted. So no event offered before {@code close} is lost, and none is
 * written half filled. {@code tail}, {@code head} and the drop count sit 128 bytes apart so that
 * the producer and the writer do not share a cache line for them.
 */
final class ThreadBuffer {
  /** Words an event takes in a segment's {@code words}. */
  static final int WORDS = 4;

  /** Events a thread's first segment holds (10 KB), unless the recorder's capacity is smaller. */
  static final int INITIAL_CAPACITY = 256;

  /** The bit of {@code tail} that says the producer moved on to the next segment. */
  static final long RETIRED = 1L << 61;

  private static final long BITS = EventRing.SEALED | RETIRED;

  static final int TAIL = 16;
  static final int HEAD = 32;

  /** One ring of the chain. */
  static final class Segment {
    final int mask;
    final long[] words;
    final Object[] refs;
    final AtomicLongArray positions = new AtomicLongArray(HEAD + 16);

    /** Set by the producer before it retires this segment. */
    volatile Segment next;

    /** The writer's: the sequence number of the next event to take. */
    long taken;

    Segment(int capacity) {
      mask = capacity - 1;
      words = new long[capacity * WORDS];
      refs = new Object[capacity * 2];
    }
  }

  /** What the writer does with each event it takes. */
  interface Sink {
    /**
     * One event: its words from {@code words[w]}, its references (for an {@code init}) from {@code
     * refs[r]}.
     */
    void event(ThreadBuffer buffer, long[] words, int w, Object[] refs, int r) throws IOException;
  }

  /** The recorder whose buffer this is. */
  final Object owner;

  /** The thread's state, whose {@link ExecutionState#recorderSlot} holds this buffer. */
  final ExecutionState state;

  /** The events a segment may hold at most. */
  private final int maxCapacity;

  /** The producer's segment. */
  Segment writing;

  /** The writer's segment. */
  private Segment reading;

  /** The drop count, apart from both segments' positions. */
  private final AtomicLongArray dropped = new AtomicLongArray(32);

  /** The thread, while it lives; its name and id as they were when its first event came. */
  final WeakReference<Thread> thread;

  final String threadName;
  final long threadId;

  /** The writer's: the thread's index in the file, 0 until its record is written. */
  int index;

  /**
   * A buffer whose segments grow up to {@code capacity} events (a power of two), from {@link
   * #INITIAL_CAPACITY} or {@code capacity} if that is smaller.
   */
  ThreadBuffer(Object owner, ExecutionState state, Thread thread, int capacity) {
    this(owner, state, thread, Math.min(INITIAL_CAPACITY, capacity), capacity);
  }

  /** For tests: segments from {@code initial} to {@code capacity} events (powers of two). */
  ThreadBuffer(Object owner, ExecutionState state, Thread thread, int initial, int capacity) {
    this.owner = owner;
    this.state = state;
    this.maxCapacity = capacity;
    this.writing = new Segment(initial);
    this.reading = writing;
    this.thread = new WeakReference<>(thread);
    this.threadName = thread.getName();
    this.threadId = thread.getId();
  }

  /**
   * Puts one event in the buffer: the producer's thread only.
   *
   * @return whether the writer, which otherwise looks by itself every few milliseconds, should be
   *     woken now: this event made the buffer grow, or filled its largest segment to half
   */
  boolean offer(
      int kind, long id, long trigger, long time, int siteId, String type, Object siteFrame) {
    Segment s = writing;
    AtomicLongArray positions = s.positions;
    long t = positions.get(TAIL);
    if ((t & EventRing.SEALED) != 0) {
      drop();
      return false;
    }
    // The writer stores head once a pass: read here, it is in this CPU's cache nearly always.
    long head = positions.get(HEAD);
    if (t - head > s.mask) {
      if (!grow(s, t)) {
        return false; // dropped and counted
      }
      offer(kind, id, trigger, time, siteId, type, siteFrame);
      return true; // grown: the writer is behind, wake it
    }
    int slot = (int) t & s.mask;
    long[] words = s.words;
    int w = slot * WORDS;
    words[w] = kind | ((long) siteId << 8);
    words[w + 1] = id;
    words[w + 2] = trigger;
    words[w + 3] = time;
    if (kind == TraceFormat.INIT) {
      s.refs[slot * 2] = type;
      s.refs[slot * 2 + 1] = siteFrame;
    }
    if (!positions.compareAndSet(TAIL, t, t + 1)) {
      drop(); // sealed in the meantime: the recording has ended
      return false;
    }
    // Half full at the largest size: the writer is far behind, wake it.
    return s.mask + 1 == maxCapacity && t + 1 - head == (s.mask + 1) >>> 1;
  }

  /**
   * The producer's segment {@code s} is full at {@code tail}: moves to a segment twice its size, or
   * drops and counts the event if {@code s} is as large as allowed or was sealed.
   *
   * @return whether the producer now writes to a new segment
   */
  private boolean grow(Segment s, long tail) {
    if (s.mask + 1 >= maxCapacity) {
      drop();
      return false;
    }
    Segment next = new Segment((s.mask + 1) * 2);
    s.next = next; // before the retirement, so the writer that sees it finds the next segment
    if (!s.positions.compareAndSet(TAIL, tail, tail | RETIRED)) {
      drop(); // sealed in the meantime
      return false;
    }
    writing = next;
    return true;
  }

  private void drop() {
    dropped.lazySet(16, dropped.get(16) + 1);
  }

  /** Events this buffer dropped so far. Any thread. */
  long dropped() {
    return dropped.get(16);
  }

  /**
   * The writer: gives every event published so far to {@code sink}, oldest first, and frees their
   * slots.
   *
   * @return how many events it took
   */
  int take(Sink sink) throws IOException {
    int count = 0;
    while (true) {
      Segment s = reading;
      long raw = s.positions.get(TAIL);
      long upTo = raw & ~BITS;
      long[] words = s.words;
      Object[] refs = s.refs;
      for (long q = s.taken; q < upTo; q++) {
        int slot = (int) q & s.mask;
        sink.event(this, words, slot * WORDS, refs, slot * 2);
        refs[slot * 2] = null;
        refs[slot * 2 + 1] = null;
        count++;
      }
      if (upTo != s.taken) {
        s.taken = upTo;
        s.positions.lazySet(HEAD, upTo);
      }
      if ((raw & RETIRED) == 0) {
        return count;
      }
      reading = s.next; // every event of the retired segment is taken
    }
  }

  /**
   * The writer, when the recording ends: seals the producer's segment, so that no event is
   * published after this; then {@link #take} gets every event offered before. Idempotent.
   */
  void seal() {
    Segment s = reading;
    while (true) {
      long t = s.positions.get(TAIL);
      if ((t & EventRing.SEALED) != 0) {
        return;
      }
      if ((t & RETIRED) != 0) {
        s = s.next;
      } else if (s.positions.compareAndSet(TAIL, t, t | EventRing.SEALED)) {
        return;
      }
    }
  }

  /** Whether the thread has ended (or is gone): it offers nothing more. */
  boolean ended() {
    Thread t = thread.get();
    return t == null || !t.isAlive();
  }
}
