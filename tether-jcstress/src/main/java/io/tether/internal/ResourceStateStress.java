package io.tether.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.tether.AsyncResource;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * A resource's state word ({@link ResourceCore}) under the race of a link's run ending while its
 * future completes or its periodic task is cancelled: each side sets or clears its own bit and
 * looks at the other's in one atomic step, so exactly one of them finds the destroy due.
 *
 * <p>The {@code Broken} twin keeps the two bits in plain fields, written and then read.
 */
public final class ResourceStateStress {

  private ResourceStateStress() {}

  /** A stage's run ends ({@link Link#runStage}'s end) while its future completes. */
  @JCStressTest
  @Description("A stage's run ends while its future completes: one claims the destroy")
  @Outcome(
      id = "true, false",
      expect = ACCEPTABLE,
      desc = "completed during the run: the run's end")
  @Outcome(
      id = "false, true",
      expect = ACCEPTABLE,
      desc = "completed after the run: the completion")
  @Outcome(expect = FORBIDDEN, desc = "destroy lost, or claimed twice")
  @State
  public static class StageEndsWhileCompleted {
    private final ResourceCore resource = new AsyncResource("stage");

    public StageEndsWhileCompleted() {
      resource.markRunning(); // the run has begun
    }

    @Actor
    public void runEnds(ZZ_Result r) {
      r.r1 = resource.clearClaimingWhen(ResourceCore.RUNNING, ResourceCore.OVER);
    }

    @Actor
    public void completes(ZZ_Result r) {
      r.r2 = resource.setClaimingUnless(ResourceCore.OVER, ResourceCore.RUNNING);
    }
  }

  /**
   * A periodic task's run ends ({@link ResourceCore#runEndedOver}, as {@link Link#runEnded} and
   * {@code Tasks.Periodic} call it) while the task is cancelled ({@link ResourceCore#markOver}).
   */
  @JCStressTest
  @Description("A periodic task's run ends while it is cancelled: one finds the destroy due")
  @Outcome(
      id = "true, false",
      expect = ACCEPTABLE,
      desc = "cancelled during the run: the run's end")
  @Outcome(id = "false, true", expect = ACCEPTABLE, desc = "cancelled after the run: the cancel")
  @Outcome(expect = FORBIDDEN, desc = "destroy lost, or due twice")
  @State
  public static class PeriodicEndsWhileCancelled {
    private final ResourceCore resource = new AsyncResource("periodic");

    public PeriodicEndsWhileCancelled() {
      resource.markRunning();
    }

    @Actor
    public void runEnds(ZZ_Result r) {
      r.r1 = resource.runEndedOver();
    }

    @Actor
    public void cancels(ZZ_Result r) {
      r.r2 = resource.markOver();
    }
  }

  /** {@link StageEndsWhileCompleted} with the bits in plain fields: must fail. */
  @JCStressTest
  @Description("The run's end and the completion on plain fields: must fail")
  @Outcome(
      id = "true, false",
      expect = ACCEPTABLE,
      desc = "completed during the run: the run's end")
  @Outcome(
      id = "false, true",
      expect = ACCEPTABLE,
      desc = "completed after the run: the completion")
  @Outcome(expect = FORBIDDEN, desc = "destroy lost, or claimed twice")
  @State
  public static class StageEndsWhileCompletedBroken {
    private boolean running = true;
    private boolean over;

    /** The defect: each side writes its own field and reads the other's, with no fence between. */
    @Actor
    public void runEnds(ZZ_Result r) {
      running = false;
      r.r1 = over;
    }

    @Actor
    public void completes(ZZ_Result r) {
      over = true;
      r.r2 = !running;
    }
  }
}
