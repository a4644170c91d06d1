package io.tether.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.tether.AsyncResource;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;
import org.openjdk.jcstress.infra.results.Z_Result;

/**
 * Where resources watched for their destroy are held ({@link DestroyWatch.Held}) under races: a
 * resource put in its thread's chunk while the sweeper visits that chunk, and a resource destroyed
 * while the sweeper sees its slot out. A resource not done must stay held, in its slot or by a
 * watch (or, collected, it would never get its destroy); a done one is let go. Each state holds its
 * own chunk, swept with no age (a resource still in its slot at a sweep gets its watch there and
 * then); the arbiter sweeps again and asks which are held.
 *
 * <p>The {@code Broken} twin publishes the chunk's count before it writes the slot.
 */
public final class DestroyWatchStress {

  private DestroyWatchStress() {}

  /** Sweeps that see out every slot and drop the done watches of the long-lived list. */
  static void sweepOut(DestroyWatch.Held held) {
    for (int i = 0; i < 3; i++) {
      held.sweep(true);
    }
  }

  /** A resource put in its chunk while the sweeper visits the chunk. */
  @JCStressTest
  @Description("A resource put in its thread's chunk while the sweeper visits the chunk")
  @Outcome(id = "true", expect = ACCEPTABLE, desc = "held, in its slot or by a watch")
  @Outcome(expect = FORBIDDEN, desc = "a live resource lost")
  @State
  public static class AddWhileSweeping {
    private final DestroyWatch.Held held = new DestroyWatch.Held(0);
    private final DestroyWatch.Chunk chunk = held.newChunk();
    private final AsyncResource resource = new AsyncResource("watched");

    public AddWhileSweeping() {
      held.sweep(false); // the sweeper has seen the chunk empty once
    }

    @Actor
    public void add() {
      chunk.add(resource);
    }

    @Actor
    public void sweep() {
      held.sweep(false);
    }

    @Arbiter
    public void arbiter(Z_Result r) {
      sweepOut(held);
      r.r1 = held.holds(resource);
    }
  }

  /** A resource destroyed while the sweeper sees its slot out, beside a live one. */
  @JCStressTest
  @Description("A resource destroyed while the sweeper sees its slot out")
  @Outcome(
      id = "true, false",
      expect = ACCEPTABLE,
      desc = "the live resource held, the destroyed one let go")
  @Outcome(expect = FORBIDDEN, desc = "a live resource lost, or a destroyed one kept")
  @State
  public static class CancelWhileSweeping {
    private final DestroyWatch.Held held = new DestroyWatch.Held(0);
    private final DestroyWatch.Chunk chunk = held.newChunk();
    private final AsyncResource live = new AsyncResource("watched");
    private final AsyncResource done = new AsyncResource("watched");
    private final int doneSlot;

    public CancelWhileSweeping() {
      chunk.add(live);
      doneSlot = chunk.add(done);
    }

    @Actor
    public void cancel() {
      chunk.setDone(doneSlot);
    }

    @Actor
    public void sweep() {
      held.sweep(false);
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
      sweepOut(held);
      r.r1 = held.holds(live);
      r.r2 = held.holds(done);
    }
  }

  /** {@link AddWhileSweeping} with the count published before the slot is written: must fail. */
  @JCStressTest
  @Description("A chunk's count published before its slot is written: must fail")
  @Outcome(id = "true", expect = ACCEPTABLE, desc = "held")
  @Outcome(expect = FORBIDDEN, desc = "a live resource lost")
  @State
  public static class AddWhileSweepingBroken {
    private final Object resource = new Object();
    private final Object[] slots = new Object[1];
    private final AtomicInteger filled = new AtomicInteger();
    private int processed;
    private boolean watched;

    /** The defect: the slot written after the count that publishes it. */
    @Actor
    public void add() {
      filled.set(1);
      slots[0] = resource;
    }

    /** As the sweeper with no age: sees out the slots below the count (an empty one is done). */
    @Actor
    public void sweep() {
      int f = filled.get();
      for (; processed < f; processed++) {
        watched = slots[processed] != null;
      }
    }

    @Arbiter
    public void arbiter(Z_Result r) {
      sweep();
      r.r1 = watched || processed == 0;
    }
  }
}
