package io.tether.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.tether.AsyncResource;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZZ_Result;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * Where destroy watches are held ({@link DestroyWatch.Stacks}) under races: two threads pushing
 * watches on the same stripe at once, and a push racing a sweep. A watch not done must stay held
 * (or its resource, collected, would never get its destroy); a done one is dropped by a sweep. Each
 * state has stacks of its own; the arbiter sweeps them and asks which watches are held.
 *
 * <p>The {@code Broken} twin pushes with a read and a write of the stack's top instead of a
 * compare-and-set.
 */
public final class DestroyWatchStress {

  private DestroyWatchStress() {}

  /**
   * A watch of a resource of {@code resources}, which the state holds: a watch of a collected
   * resource is done once the cleaner raised its destroy, and a sweep rightly drops it.
   */
  static DestroyWatch watch(AsyncResource[] resources, int i) {
    resources[i] = new AsyncResource("watched");
    return new DestroyWatch(resources[i]);
  }

  /** Two watches pushed on the same stripe at once. */
  @JCStressTest
  @Description("Two destroy watches pushed on one stripe at once")
  @Outcome(id = "true, true", expect = ACCEPTABLE, desc = "both held")
  @Outcome(expect = FORBIDDEN, desc = "a watch lost")
  @State
  public static class Pushes {
    private final DestroyWatch.Stacks stacks = new DestroyWatch.Stacks();
    private final AsyncResource[] resources = new AsyncResource[2];
    private final DestroyWatch first = watch(resources, 0);
    private final DestroyWatch second = watch(resources, 1);

    @Actor
    public void push1() {
      stacks.push(first, 3);
    }

    @Actor
    public void push2() {
      stacks.push(second, 3);
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
      stacks.sweep(true);
      r.r1 = stacks.holds(first);
      r.r2 = stacks.holds(second);
    }
  }

  /**
   * A push racing a sweep of a stack that holds a live watch and a done one: the pushed and the
   * live are held afterwards, the done is not.
   */
  @JCStressTest
  @Description("A destroy watch pushed while the sweeper takes its stack")
  @Outcome(
      id = "true, true, false",
      expect = ACCEPTABLE,
      desc = "the pushed and the live held, the done dropped")
  @Outcome(expect = FORBIDDEN, desc = "a live watch lost, or a done one kept")
  @State
  public static class PushDuringSweep {
    private final DestroyWatch.Stacks stacks = new DestroyWatch.Stacks();
    private final AsyncResource[] resources = new AsyncResource[3];
    private final DestroyWatch live = watch(resources, 0);
    private final DestroyWatch done = watch(resources, 1);
    private final DestroyWatch pushed = watch(resources, 2);

    public PushDuringSweep() {
      stacks.push(live, 5);
      stacks.push(done, 5);
      done.cancel();
    }

    @Actor
    public void push() {
      stacks.push(pushed, 5);
    }

    @Actor
    public void sweep() {
      stacks.sweep(false);
    }

    @Arbiter
    public void arbiter(ZZZ_Result r) {
      stacks.sweep(true);
      r.r1 = stacks.holds(pushed);
      r.r2 = stacks.holds(live);
      r.r3 = stacks.holds(done);
    }
  }

  /** {@link Pushes} on a stack pushed without compare-and-set: must fail. */
  @JCStressTest
  @Description("Two watches pushed on a stack without compare-and-set: must fail")
  @Outcome(id = "true, true", expect = ACCEPTABLE, desc = "both held")
  @Outcome(expect = FORBIDDEN, desc = "a watch lost")
  @State
  public static class PushesBroken {
    private final AtomicReferenceArray<Node> stacks = new AtomicReferenceArray<>(1);
    private final Node first = new Node();
    private final Node second = new Node();

    /** The defect: the top read, then written, with no compare-and-set between. */
    void push(Node n) {
      n.next = stacks.get(0);
      stacks.set(0, n);
    }

    @Actor
    public void push1() {
      push(first);
    }

    @Actor
    public void push2() {
      push(second);
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
      for (Node n = stacks.get(0); n != null; n = n.next) {
        r.r1 |= n == first;
        r.r2 |= n == second;
      }
    }

    /** A watch of the copy: its link alone. */
    static final class Node {
      Node next;
    }
  }
}
