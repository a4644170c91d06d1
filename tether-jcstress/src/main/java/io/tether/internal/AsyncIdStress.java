package io.tether.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.tether.AsyncResource;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Async id allocation ({@link ResourceCore}) under races: two threads each link a resource and,
 * inside its scope, a child. Every id is new (never handed out twice), and each child's trigger id
 * is its own parent's id, never the other thread's.
 */
public final class AsyncIdStress {

  private AsyncIdStress() {}

  /** 1 if the four ids are distinct resource ids (2 and up), else 0. */
  static int distinct(long a, long b, long c, long d) {
    long[] ids = {a, b, c, d};
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 2) {
        return 0;
      }
      for (int j = 0; j < i; j++) {
        if (ids[i] == ids[j]) {
          return 0;
        }
      }
    }
    return 1;
  }

  /** Resources linked on two threads at once, each with a child linked in its scope. */
  @JCStressTest
  @Description("Two threads linking resources, each a child in its parent's scope")
  @Outcome(
      id = "1, 1",
      expect = ACCEPTABLE,
      desc = "ids unique, each child triggered by its own parent")
  @Outcome(id = "0, .*", expect = FORBIDDEN, desc = "an id handed out twice (or below 2)")
  @Outcome(expect = FORBIDDEN, desc = "a child's trigger id is not its parent's id")
  @State
  public static class Allocation {
    private AsyncResource parent1;
    private AsyncResource child1;
    private AsyncResource parent2;
    private AsyncResource child2;

    @Actor
    public void link1() {
      parent1 = new AsyncResource("parent");
      child1 = parent1.runInAsyncScope(() -> new AsyncResource("child"));
    }

    @Actor
    public void link2() {
      parent2 = new AsyncResource("parent");
      child2 = parent2.runInAsyncScope(() -> new AsyncResource("child"));
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = distinct(parent1.asyncId(), child1.asyncId(), parent2.asyncId(), child2.asyncId());
      r.r2 =
          child1.triggerAsyncId() == parent1.asyncId()
                  && child2.triggerAsyncId() == parent2.asyncId()
              ? 1
              : 0;
    }
  }

  /**
   * {@link Allocation} with ids from a copy of {@code ResourceCore}'s counter whose {@code
   * getAndIncrement} is split into a read and a write: must hand an id out twice.
   */
  @JCStressTest
  @Description("Allocation from a counter read and written apart: must fail")
  @Outcome(
      id = "1, 1",
      expect = ACCEPTABLE,
      desc = "ids unique, each child triggered by its own parent")
  @Outcome(id = "0, .*", expect = FORBIDDEN, desc = "an id handed out twice (or below 2)")
  @Outcome(expect = FORBIDDEN, desc = "a child's trigger id is not its parent's id")
  @State
  public static class AllocationBroken {
    private static final AtomicLong NEXT_ID = new AtomicLong(2);

    private long parent1;
    private long child1;
    private long trigger1;
    private long parent2;
    private long child2;
    private long trigger2;

    /** The defect: another thread may read the same value between the get and the set. */
    static long nextId() {
      long id = NEXT_ID.get();
      NEXT_ID.set(id + 1);
      return id;
    }

    @Actor
    public void link1() {
      parent1 = nextId();
      trigger1 = parent1;
      child1 = nextId();
    }

    @Actor
    public void link2() {
      parent2 = nextId();
      trigger2 = parent2;
      child2 = nextId();
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = distinct(parent1, child1, parent2, child2);
      r.r2 = trigger1 == parent1 && trigger2 == parent2 ? 1 : 0;
    }
  }
}
