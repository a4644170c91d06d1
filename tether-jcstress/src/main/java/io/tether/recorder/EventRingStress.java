package io.tether.recorder;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

/**
 * The trace recorder's ring ({@link EventRing}) under races: producers claiming slots at once, and
 * a producer handing events to the writer. Every event carries its id in three fields (id, trigger
 * id and time), so the reader names each event it takes by its id, or {@code torn} when the fields
 * disagree. No event may be lost without being counted, torn, or taken twice.
 *
 * <p>The {@code Broken} twins run the real ring with one side replaced by a copy that skips one
 * step: a producer that claims its slot by a read and a write of {@code tail} instead of a
 * compare-and-set, a writer that reads every claimed slot instead of waiting for it to be
 * published, and a close that only raises a flag instead of sealing {@code tail}.
 */
public final class EventRingStress {

  private EventRingStress() {}

  static void offer(EventRing ring, long id) {
    ring.offer(TraceFormat.INIT, id, id * 10, id * 100, null, null, 0, null);
  }

  /** The event in {@code slot}, by its id, or {@code torn}; then released. */
  static String take(EventRing ring, int slot) {
    long id = ring.ids[slot];
    boolean whole = ring.triggers[slot] == id * 10 && ring.times[slot] == id * 100 && id > 0;
    ring.release(slot);
    return whole ? Long.toString(id) : "torn";
  }

  /** The events left in the ring, oldest first, joined by {@code -}. */
  static String drain(EventRing ring, String seen) {
    StringBuilder b = new StringBuilder(seen);
    int slot;
    for (int i = 0; i < 8 && (slot = ring.next()) >= 0; i++) {
      b.append(b.length() == 0 ? "" : "-").append(take(ring, slot));
    }
    return b.length() == 0 ? "none" : b.toString();
  }

  /** Two producers offering an event each to an empty ring of two slots. */
  @JCStressTest
  @Description("Two producers claiming slots of the recorder's ring at once")
  @Outcome(
      id = {"1-2, 0", "2-1, 0"},
      expect = ACCEPTABLE,
      desc = "both events written whole, none dropped")
  @Outcome(expect = FORBIDDEN, desc = "an event lost, torn or written twice")
  @State
  public static class Producers {
    private final EventRing ring = new EventRing(2);

    @Actor
    public void producer1() {
      offer(ring, 1);
    }

    @Actor
    public void producer2() {
      offer(ring, 2);
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r1 = drain(ring, "");
      r.r2 = ring.dropped();
    }
  }

  /** {@link Producers} where the second producer claims its slot without compare-and-set. */
  @JCStressTest
  @Description("Producers, one claiming its slot by a read and a write: must fail")
  @Outcome(
      id = {"1-2, 0", "2-1, 0"},
      expect = ACCEPTABLE,
      desc = "both events written whole, none dropped")
  @Outcome(expect = FORBIDDEN, desc = "an event lost, torn or written twice")
  @State
  public static class ProducersBroken {
    private final EventRing ring = new EventRing(2);

    @Actor
    public void producer1() {
      offer(ring, 1);
    }

    @Actor
    public void producer2() {
      // EventRing.offer with the defect: tail read, then written, with no compare-and-set.
      long sequence = ring.tail.get();
      ring.tail.set(sequence + 1);
      int slot = (int) sequence & ring.mask;
      ring.kinds[slot] = TraceFormat.INIT;
      ring.ids[slot] = 2;
      ring.triggers[slot] = 20;
      ring.times[slot] = 200;
      ring.published.lazySet(slot, sequence + 1);
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r1 = drain(ring, "");
      r.r2 = ring.dropped();
    }
  }

  /**
   * A producer offers three events to a ring of two slots while the writer takes what is published;
   * then the rest is drained. The writer gets events whole and in order; the third is written if
   * the writer freed a slot in time, else dropped and counted.
   */
  @JCStressTest
  @Description("The hand-off of events from a producer to the recorder's writer")
  @Outcome(
      id = {"1-2-3, 0", "1-2, 1"},
      expect = ACCEPTABLE,
      desc = "every event written whole and in order, or dropped and counted")
  @Outcome(expect = FORBIDDEN, desc = "an event lost uncounted, torn, reordered or duplicated")
  @State
  public static class HandOff {
    private final EventRing ring = new EventRing(2);
    private String seen = "";

    @Actor
    public void producer() {
      offer(ring, 1);
      offer(ring, 2);
      offer(ring, 3);
    }

    @Actor
    public void writer() {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        int slot = ring.next();
        if (slot >= 0) {
          b.append(b.length() == 0 ? "" : "-").append(take(ring, slot));
        }
      }
      seen = b.toString();
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r1 = drain(ring, seen);
      r.r2 = ring.dropped();
    }
  }

  /**
   * {@link HandOff} with a writer that takes every claimed slot ({@code head < tail}) instead of
   * waiting until its event is published: must read an event half written.
   */
  @JCStressTest
  @Description("HandOff with a writer that reads unpublished slots: must fail")
  @Outcome(
      id = {"1-2-3, 0", "1-2, 1"},
      expect = ACCEPTABLE,
      desc = "every event written whole and in order, or dropped and counted")
  @Outcome(expect = FORBIDDEN, desc = "an event lost uncounted, torn, reordered or duplicated")
  @State
  public static class HandOffBroken {
    private final EventRing ring = new EventRing(2);
    private String seen = "";

    @Actor
    public void producer() {
      offer(ring, 1);
      offer(ring, 2);
      offer(ring, 3);
    }

    @Actor
    public void writer() {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        long head = ring.head();
        if (head < ring.tail.get()) { // the defect: claimed is not published
          b.append(b.length() == 0 ? "" : "-").append(take(ring, (int) head & ring.mask));
        }
      }
      seen = b.toString();
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r1 = drain(ring, seen);
      r.r2 = ring.dropped();
    }
  }

  /**
   * What the writer does once the ring is closed: takes events until the ring is closed and
   * drained, waiting for those claimed but not yet published; the events taken, or {@code none}.
   */
  static String writeUntilDrained(EventRing ring) {
    StringBuilder b = new StringBuilder();
    while (true) {
      int slot = ring.next();
      if (slot >= 0) {
        b.append(b.length() == 0 ? "" : "-").append(take(ring, slot));
      } else if (ring.drained()) {
        return b.length() == 0 ? "none" : b.toString();
      } else {
        Thread.onSpinWait();
      }
    }
  }

  /**
   * A producer offers an event while the recorder closes: the ring is closed and the writer writes
   * what is left and stops. The event is written, or dropped and counted; never lost uncounted (the
   * writer deciding it is done in the instant between the producer's check and its claim).
   */
  @JCStressTest
  @Description("An event offered while the recorder's ring is closed and drained")
  @Outcome(
      id = {"1, 0", "none, 1"},
      expect = ACCEPTABLE,
      desc = "the event written, or dropped and counted")
  @Outcome(expect = FORBIDDEN, desc = "the event lost uncounted, torn or written twice")
  @State
  public static class Close {
    private final EventRing ring = new EventRing(2);

    @Actor
    public void producer() {
      offer(ring, 1);
    }

    @Actor
    public void closer(LL_Result r) {
      ring.close();
      r.r1 = writeUntilDrained(ring);
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r2 = ring.dropped();
    }
  }

  /**
   * {@link Close} with a close that raises a flag instead of sealing {@code tail}: the producer
   * checks the flag and claims its slot in two steps, so the writer may find the ring empty and
   * stop in between, and the event is published after the writer is gone. Must fail.
   */
  @JCStressTest
  @Description("Close, with a flag instead of a sealed tail: must fail")
  @Outcome(
      id = {"1, 0", "none, 1"},
      expect = ACCEPTABLE,
      desc = "the event written, or dropped and counted")
  @Outcome(expect = FORBIDDEN, desc = "the event lost uncounted, torn or written twice")
  @State
  public static class CloseBroken {
    private final EventRing ring = new EventRing(2);
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong dropped =
        new java.util.concurrent.atomic.AtomicLong();

    @Actor
    public void producer() {
      // EventRing.offer with the defect: the closed check is apart from the claim.
      long sequence;
      do {
        sequence = ring.tail.get();
        if (closed) {
          dropped.incrementAndGet();
          return;
        }
      } while (!ring.tail.compareAndSet(sequence, sequence + 1));
      int slot = (int) sequence & ring.mask;
      ring.kinds[slot] = TraceFormat.INIT;
      ring.ids[slot] = 1;
      ring.triggers[slot] = 10;
      ring.times[slot] = 100;
      ring.published.lazySet(slot, sequence + 1);
    }

    @Actor
    public void closer(LL_Result r) {
      closed = true;
      r.r1 = writeUntilDrained(ring);
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r2 = dropped.get();
    }
  }
}
