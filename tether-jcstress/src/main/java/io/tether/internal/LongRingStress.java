package io.tether.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.openjdk.jcstress.infra.results.L_Result;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * The destroy thread's ring of ids ({@link LongRing}) under races: two producers offering an id
 * each at once, a producer offering one while the consumer takes what is ready, and one offering
 * while the consumer goes to sleep. Every id must be taken exactly once and whole (the consumer may
 * never read a slot before its producer wrote it), and a consumer that sleeps is woken.
 *
 * <p>The {@code Broken} twins run copies of the ring: one whose producer publishes the slot's
 * sequence before it writes the id (the two steps of {@link LongRing#offer} swapped), one whose
 * consumer, going to sleep, looks at the published value instead of the claim while no fence
 * follows the publication (the ring's first wake-up, which missed some).
 */
public final class LongRingStress {

  private LongRingStress() {}

  /** The ids the consumer took, in the order taken, joined by {@code -}. */
  static String append(String taken, long id) {
    return taken.isEmpty() ? Long.toString(id) : taken + "-" + id;
  }

  /** Two producers offering an id each at once; the consumer takes them afterwards. */
  @JCStressTest
  @Description("Two producers offering ids to the destroy ring at once")
  @Outcome(
      id = {"1-2", "2-1"},
      expect = ACCEPTABLE,
      desc = "both ids taken once")
  @Outcome(expect = FORBIDDEN, desc = "an id lost or taken twice")
  @State
  public static class Producers {
    private final LongRing ring = new LongRing(2);

    @Actor
    public void producer1() {
      ring.offer(1);
    }

    @Actor
    public void producer2() {
      ring.offer(2);
    }

    @Arbiter
    public void arbiter(L_Result r) {
      String taken = "";
      while (ring.ready()) {
        taken = append(taken, ring.take());
      }
      r.r1 = taken;
    }
  }

  /** A producer offering an id while the consumer takes what is ready. */
  @JCStressTest
  @Description("A producer offering an id to the destroy ring while the consumer takes")
  @Outcome(id = "1, ", expect = ACCEPTABLE, desc = "taken by the consumer, whole")
  @Outcome(id = ", 1", expect = ACCEPTABLE, desc = "not ready yet: taken afterwards")
  @Outcome(expect = FORBIDDEN, desc = "the id read before it was written, lost or taken twice")
  @State
  public static class HandOff {
    private final LongRing ring = new LongRing(2);
    private String taken = "";

    @Actor
    public void producer() {
      ring.offer(1);
    }

    @Actor
    public void consumer() {
      if (ring.ready()) {
        taken = append(taken, ring.take());
      }
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      String after = "";
      while (ring.ready()) {
        after = append(after, ring.take());
      }
      r.r1 = taken;
      r.r2 = after;
    }
  }

  /** {@link HandOff} with a ring that publishes a slot before writing it. */
  @JCStressTest
  @Description("A producer offering an id to a ring that publishes before it writes")
  @Outcome(id = "1, ", expect = ACCEPTABLE, desc = "taken by the consumer, whole")
  @Outcome(id = ", 1", expect = ACCEPTABLE, desc = "not ready yet: taken afterwards")
  @Outcome(expect = FORBIDDEN, desc = "the id read before it was written, lost or taken twice")
  @State
  public static class HandOffBroken {
    private final PublishFirstRing ring = new PublishFirstRing(2);
    private String taken = "";

    @Actor
    public void producer() {
      ring.offer(1);
    }

    @Actor
    public void consumer() {
      if (ring.ready()) {
        taken = append(taken, ring.take());
      }
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      String after = "";
      while (ring.ready()) {
        after = append(after, ring.take());
      }
      r.r1 = taken;
      r.r2 = after;
    }
  }

  /**
   * A producer offering an id and asking whether to wake the consumer, while the consumer announces
   * its sleep and looks at the ring once more: one of them must see the other.
   */
  @JCStressTest
  @Description("A producer offering an id while the destroy thread goes to sleep")
  @Outcome(id = "true, true", expect = ACCEPTABLE, desc = "the consumer finds the id and is woken")
  @Outcome(id = "true, false", expect = ACCEPTABLE, desc = "the consumer sleeps and is woken")
  @Outcome(id = "false, true", expect = ACCEPTABLE, desc = "the consumer finds the id")
  @Outcome(id = "false, false", expect = FORBIDDEN, desc = "the consumer sleeps, never woken")
  @State
  public static class WakeUp {
    private final LongRing ring = new LongRing(2);

    @Actor
    public void producer(ZZ_Result r) {
      ring.offer(1);
      r.r1 = ring.wakeNeeded();
    }

    @Actor
    public void consumer(ZZ_Result r) {
      ring.sleeping(true);
      r.r2 = ring.pending();
    }
  }

  /**
   * {@link WakeUp} with a ring whose sleeping consumer looks at the publication, not the claim, and
   * whose producer reads the flag with no fence after publishing.
   */
  @JCStressTest
  @Description("A consumer that looks at the publication, a producer with no fence after it")
  @Outcome(id = "true, true", expect = ACCEPTABLE, desc = "the consumer finds the id and is woken")
  @Outcome(id = "true, false", expect = ACCEPTABLE, desc = "the consumer sleeps and is woken")
  @Outcome(id = "false, true", expect = ACCEPTABLE, desc = "the consumer finds the id")
  @Outcome(id = "false, false", expect = FORBIDDEN, desc = "the consumer sleeps, never woken")
  @State
  public static class WakeUpBroken {
    private final UnfencedRing ring = new UnfencedRing(2);

    @Actor
    public void producer(ZZ_Result r) {
      ring.offer(1);
      r.r1 = ring.wakeNeeded();
    }

    @Actor
    public void consumer(ZZ_Result r) {
      ring.sleeping = true;
      r.r2 = ring.ready();
    }
  }

  /**
   * The fields of {@link LongRing}, copied for the broken twins (the ring itself is final and keeps
   * no hook for a defect), with its consumer side as it is.
   */
  abstract static class RingCopy {
    final long[] values;
    final AtomicLongArray sequences;
    final int mask;
    final AtomicLong tail = new AtomicLong();
    private long head;

    RingCopy(int size) {
      values = new long[size];
      sequences = new AtomicLongArray(size);
      for (int i = 0; i < size; i++) {
        sequences.set(i, i);
      }
      mask = size - 1;
    }

    boolean ready() {
      return sequences.get((int) head & mask) == head + 1;
    }

    long take() {
      int i = (int) head & mask;
      long value = values[i];
      sequences.lazySet(i, head + mask + 1);
      head++;
      return value;
    }
  }

  /**
   * {@link LongRing}'s offer and wake-up as they were first: the consumer looks at the publication
   * and no fence follows it. The bug the test must catch.
   */
  static final class UnfencedRing extends RingCopy {
    volatile boolean sleeping;

    UnfencedRing(int size) {
      super(size);
    }

    void offer(long value) {
      long p = tail.getAndIncrement(); // the ring is never full here
      int i = (int) p & mask;
      values[i] = value;
      sequences.lazySet(i, p + 1);
    }

    /** The defect: the offer's ordered store may pass this read (and the consumer asks ready). */
    boolean wakeNeeded() {
      return sleeping;
    }
  }

  /** {@link LongRing} with its producer's last two steps swapped: the bug the test must catch. */
  static final class PublishFirstRing extends RingCopy {
    PublishFirstRing(int size) {
      super(size);
    }

    boolean offer(long value) {
      long p = tail.get();
      while (true) {
        int i = (int) p & mask;
        long free = sequences.get(i) - p;
        if (free == 0) {
          if (tail.compareAndSet(p, p + 1)) {
            sequences.set(i, p + 1); // published first: the consumer may read the slot now
            values[i] = value;
            return true;
          }
          p = tail.get();
        } else if (free < 0) {
          return false;
        } else {
          p = tail.get();
        }
      }
    }
  }
}
