package io.tether.recorder;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.tether.internal.ExecutionState;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

/**
 * A platform thread's buffer of the trace recorder ({@link ThreadBuffer}) under races: its thread
 * handing events to the writer, growing into a new segment while the writer reads the old one, and
 * offering while the recording closes. Every event carries its id in three words (id, trigger id
 * and time), so the writer names each event it takes by its id, or {@code torn} when the words
 * disagree. No event may be lost without being counted, torn, reordered or taken twice.
 *
 * <p>The {@code Broken} twins run the real buffer with its producer replaced by a copy that skips
 * one step: publishing before filling the slot, publishing by a plain store instead of a
 * compare-and-set (which a seal cannot stop), and retiring a full segment by a plain store.
 */
public final class ThreadBufferStress {

  private ThreadBufferStress() {}

  /** A buffer of two slots that may grow to {@code capacity}. */
  static ThreadBuffer buffer(int capacity) {
    return new ThreadBuffer(
        new Object(), ExecutionState.current(), Thread.currentThread(), 2, capacity);
  }

  static void offer(ThreadBuffer buffer, long id) {
    buffer.offer(TraceFormat.INIT, id, id * 10, id * 100, 0, "T", null);
  }

  /** The writer's pass: every event published, by id or {@code torn}, joined by {@code -}. */
  static String take(ThreadBuffer buffer, String seen) {
    StringBuilder b = new StringBuilder(seen);
    try {
      buffer.take(
          (from, words, w, refs, r) -> {
            long id = words[w + 1];
            boolean whole =
                words[w + 2] == id * 10
                    && words[w + 3] == id * 100
                    && id > 0
                    && (words[w] & 0xFF) == TraceFormat.INIT
                    && "T".equals(refs[r]);
            b.append(b.length() == 0 ? "" : "-").append(whole ? Long.toString(id) : "torn");
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toString();
  }

  static String orNone(String seen) {
    return seen.isEmpty() ? "none" : seen;
  }

  /** The event {@code id} written to slot 0 of {@code s} with the broken producers' steps. */
  static void fill(ThreadBuffer.Segment s, int slot, long id) {
    int w = slot * ThreadBuffer.WORDS;
    s.words[w] = TraceFormat.INIT;
    s.words[w + 1] = id;
    s.words[w + 2] = id * 10;
    s.words[w + 3] = id * 100;
    s.refs[slot * 2] = "T";
  }

  /**
   * The thread offers three events to a buffer of two slots that may not grow while the writer
   * takes what is published twice; then the rest is taken. The writer gets events whole and in
   * order; the third is written if the writer freed a slot in time, else dropped and counted.
   */
  @JCStressTest
  @Description("The hand-off of events from a thread's buffer to the recorder's writer")
  @Outcome(
      id = {"1-2-3, 0", "1-2, 1"},
      expect = ACCEPTABLE,
      desc = "every event written whole and in order, or dropped and counted")
  @Outcome(expect = FORBIDDEN, desc = "an event lost uncounted, torn, reordered or duplicated")
  @State
  public static class HandOff {
    private final ThreadBuffer buffer = buffer(2);
    private String seen = "";

    @Actor
    public void producer() {
      offer(buffer, 1);
      offer(buffer, 2);
      offer(buffer, 3);
    }

    @Actor
    public void writer() {
      seen = take(buffer, take(buffer, ""));
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r1 = orNone(take(buffer, seen));
      r.r2 = buffer.dropped();
    }
  }

  /** {@link HandOff} with a producer that publishes each event before filling its slot. */
  @JCStressTest
  @Description("HandOff with a producer that publishes before it fills the slot: must fail")
  @Outcome(
      id = {"1-2-3, 0", "1-2, 1"},
      expect = ACCEPTABLE,
      desc = "every event written whole and in order, or dropped and counted")
  @Outcome(expect = FORBIDDEN, desc = "an event lost uncounted, torn, reordered or duplicated")
  @State
  public static class HandOffBroken {
    private final ThreadBuffer buffer = buffer(2);
    private String seen = "";

    @Actor
    public void producer() {
      ThreadBuffer.Segment s = buffer.writing;
      for (long id = 1; id <= 3; id++) {
        long t = s.positions.get(ThreadBuffer.TAIL);
        if (t - s.positions.get(ThreadBuffer.HEAD) > s.mask) {
          buffer.offer(TraceFormat.INIT, id, 0, 0, 0, "T", null); // full: dropped and counted
          continue;
        }
        s.positions.set(ThreadBuffer.TAIL, t + 1); // the defect: published, then filled
        fill(s, (int) t & s.mask, id);
      }
    }

    @Actor
    public void writer() {
      seen = take(buffer, take(buffer, ""));
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r1 = orNone(take(buffer, seen));
      r.r2 = buffer.dropped();
    }
  }

  /**
   * The thread offers four events to a buffer of two slots that may grow to four, while the writer
   * takes twice: the third event retires the first segment, and the writer follows it into the
   * second. Every event is written, whole and in order; none is dropped.
   */
  @JCStressTest
  @Description("A thread's buffer growing into a new segment while the writer reads the old one")
  @Outcome(id = "1-2-3-4, 0", expect = ACCEPTABLE, desc = "every event written whole and in order")
  @Outcome(expect = FORBIDDEN, desc = "an event lost, dropped, torn, reordered or duplicated")
  @State
  public static class Grow {
    private final ThreadBuffer buffer = buffer(4);
    private String seen = "";

    @Actor
    public void producer() {
      for (long id = 1; id <= 4; id++) {
        offer(buffer, id);
      }
    }

    @Actor
    public void writer() {
      seen = take(buffer, take(buffer, ""));
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r1 = orNone(take(buffer, seen));
      r.r2 = buffer.dropped();
    }
  }

  /**
   * The thread offers an event while the recording closes: the writer seals the buffer and takes
   * what it holds. The event is written, or dropped and counted; never lost uncounted.
   */
  @JCStressTest
  @Description("An event offered while the recording closes and the writer seals the buffer")
  @Outcome(
      id = {"1, 0", "none, 1"},
      expect = ACCEPTABLE,
      desc = "the event written, or dropped and counted")
  @Outcome(expect = FORBIDDEN, desc = "the event lost uncounted, torn or written twice")
  @State
  public static class Close {
    private final ThreadBuffer buffer = buffer(2);

    @Actor
    public void producer() {
      offer(buffer, 1);
    }

    @Actor
    public void closer(LL_Result r) {
      buffer.seal();
      r.r1 = orNone(take(buffer, ""));
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r2 = buffer.dropped();
    }
  }

  /**
   * {@link Close} with a producer that checks the seal and then publishes by a plain store: the
   * writer may seal and take nothing in between, and the store then overwrites the seal. Must fail.
   */
  @JCStressTest
  @Description("Close, with a plain store for publication: must fail")
  @Outcome(
      id = {"1, 0", "none, 1"},
      expect = ACCEPTABLE,
      desc = "the event written, or dropped and counted")
  @Outcome(expect = FORBIDDEN, desc = "the event lost uncounted, torn or written twice")
  @State
  public static class CloseBroken {
    private final ThreadBuffer buffer = buffer(2);

    @Actor
    public void producer() {
      ThreadBuffer.Segment s = buffer.writing;
      long t = s.positions.get(ThreadBuffer.TAIL);
      if ((t & EventRing.SEALED) != 0) {
        buffer.offer(TraceFormat.INIT, 1, 0, 0, 0, "T", null); // sealed: dropped and counted
        return;
      }
      fill(s, 0, 1);
      s.positions.set(ThreadBuffer.TAIL, t + 1); // the defect: no compare-and-set
    }

    @Actor
    public void closer(LL_Result r) {
      buffer.seal();
      r.r1 = orNone(take(buffer, ""));
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r2 = buffer.dropped();
    }
  }

  /**
   * The thread offers three events to a buffer of two slots that may grow, the third into a new
   * segment, while the recording closes: each event is written or, offered after the seal, dropped
   * and counted; the written ones are the first ones, in order.
   */
  @JCStressTest
  @Description("A thread's buffer growing while the recording closes")
  @Outcome(
      id = {"1-2-3, 0", "1-2, 1", "1, 2", "none, 3"},
      expect = ACCEPTABLE,
      desc = "the events written, the rest dropped and counted")
  @Outcome(expect = FORBIDDEN, desc = "an event lost uncounted, torn, reordered or duplicated")
  @State
  public static class GrowClose {
    private final ThreadBuffer buffer = buffer(4);

    @Actor
    public void producer() {
      offer(buffer, 1);
      offer(buffer, 2);
      offer(buffer, 3);
    }

    @Actor
    public void closer(LL_Result r) {
      buffer.seal();
      r.r1 = orNone(take(buffer, ""));
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r2 = buffer.dropped();
    }
  }

  /**
   * {@link GrowClose} with a producer that retires the full segment by a plain store instead of a
   * compare-and-set: the writer's seal of that segment is overwritten, the producer goes on into
   * the new segment, which nobody sealed or takes. Must fail.
   */
  @JCStressTest
  @Description("GrowClose, retiring a segment by a plain store: must fail")
  @Outcome(
      id = {"1-2-3, 0", "1-2, 1", "1, 2", "none, 3"},
      expect = ACCEPTABLE,
      desc = "the events written, the rest dropped and counted")
  @Outcome(expect = FORBIDDEN, desc = "an event lost uncounted, torn, reordered or duplicated")
  @State
  public static class GrowCloseBroken {
    private final ThreadBuffer buffer = buffer(4);

    @Actor
    public void producer() {
      offer(buffer, 1);
      offer(buffer, 2);
      ThreadBuffer.Segment s = buffer.writing;
      long t = s.positions.get(ThreadBuffer.TAIL);
      if ((t & EventRing.SEALED) != 0) {
        buffer.offer(TraceFormat.INIT, 3, 0, 0, 0, "T", null); // sealed: dropped and counted
        return;
      }
      ThreadBuffer.Segment next = new ThreadBuffer.Segment(4);
      s.next = next;
      s.positions.set(ThreadBuffer.TAIL, t | ThreadBuffer.RETIRED); // the defect: no CAS
      buffer.writing = next;
      offer(buffer, 3);
    }

    @Actor
    public void closer(LL_Result r) {
      buffer.seal();
      r.r1 = orNone(take(buffer, ""));
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r2 = buffer.dropped();
    }
  }
}
