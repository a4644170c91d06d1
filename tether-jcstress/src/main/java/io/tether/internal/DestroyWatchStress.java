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

/**
 * Where destroy watches are held ({@link DestroyWatch.Held}) under races: a watch added to its
 * thread's chunk while the sweeper seals that chunk, and a watch cancelled while the sweeper visits
 * its chunk. A watch not done must stay held (or its resource, collected, would never get its
 * destroy); a done one is dropped by later sweeps. Each state holds watches of its own; the arbiter
 * sweeps them and asks which are held.
 *
 * <p>The {@code Broken} twin reserves a chunk's slot with a read and a write of its count instead
 * of a compare-and-set.
 */
public final class DestroyWatchStress {

  private DestroyWatchStress() {}

  /** Sweeps enough for a complete chunk's live watches to move to the long-lived list. */
  static void sweepOut(DestroyWatch.Held held) {
    for (int i = 0; i < 5; i++) {
      held.sweep(true);
    }
  }

  /** A watch added while the sweeper seals the chunk (its owner made none for a whole sweep). */
  @JCStressTest
  @Description("A destroy watch added to a chunk while the sweeper seals it")
  @Outcome(id = "true, true", expect = ACCEPTABLE, desc = "added before the seal, and held")
  @Outcome(
      id = "false, true",
      expect = ACCEPTABLE,
      desc = "sealed first: the add is refused (the owner starts a new chunk)")
  @Outcome(expect = FORBIDDEN, desc = "a watch added and lost")
  @State
  public static class AddWhileSealing {
    private final DestroyWatch.Held held = new DestroyWatch.Held();
    private final DestroyWatch.Chunk chunk = held.newChunk();
    private final AsyncResource resource = new AsyncResource("watched");
    private DestroyWatch added;

    public AddWhileSealing() {
      held.sweep(false); // the sweeper has seen the chunk empty once
    }

    @Actor
    public void add() {
      added = held.add(resource, chunk);
    }

    @Actor
    public void sweep() {
      held.sweep(false);
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
      sweepOut(held);
      r.r1 = added != null;
      r.r2 = added == null || held.holds(added);
    }
  }

  /** A watch cancelled while the sweeper visits its complete chunk, beside a live one. */
  @JCStressTest
  @Description("A destroy watch cancelled while the sweeper visits its chunk")
  @Outcome(
      id = "true, false",
      expect = ACCEPTABLE,
      desc = "the live watch held, the cancelled one dropped")
  @Outcome(expect = FORBIDDEN, desc = "a live watch lost, or a done one kept")
  @State
  public static class CancelWhileSweeping {
    private final DestroyWatch.Held held = new DestroyWatch.Held();
    private final AsyncResource[] resources = {
      new AsyncResource("watched"), new AsyncResource("watched")
    };
    private final DestroyWatch live;
    private final DestroyWatch done;

    public CancelWhileSweeping() {
      DestroyWatch.Chunk chunk = held.newChunk();
      live = held.add(resources[0], chunk);
      done = held.add(resources[1], chunk);
      held.sweep(false);
      held.sweep(false); // sealed: complete, both live
    }

    @Actor
    public void cancel() {
      done.cancel();
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

  /** {@link AddWhileSealing} with a slot reserved by a read and a write: must fail. */
  @JCStressTest
  @Description("A slot reserved without compare-and-set while the chunk is sealed: must fail")
  @Outcome(id = "true, true", expect = ACCEPTABLE, desc = "added before the seal, and held")
  @Outcome(id = "false, true", expect = ACCEPTABLE, desc = "sealed first: the add is refused")
  @Outcome(expect = FORBIDDEN, desc = "a watch added and lost")
  @State
  public static class AddWhileSealingBroken {
    private static final int SEALED = DestroyWatch.Chunk.SEALED;
    private final AtomicInteger filled = new AtomicInteger();
    private boolean added;
    private boolean dropped;

    /** The defect: the count read, then written, with no compare-and-set between. */
    @Actor
    public void add() {
      int n = filled.get();
      if (n < DestroyWatch.CHUNK) {
        filled.set(n + 1);
        added = true;
      }
    }

    /** As the sweeper: seals the chunk if still empty, and drops it (nothing in it is live). */
    @Actor
    public void sweep() {
      dropped = filled.compareAndSet(0, SEALED);
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
      r.r1 = added;
      r.r2 = !(added && dropped);
    }
  }
}
