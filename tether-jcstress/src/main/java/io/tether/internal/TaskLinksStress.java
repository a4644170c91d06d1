package io.tether.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * {@link TaskLinks} under races: links attached to one task object, its value converted from a
 * single link to a slot of several while other threads attach and take. Each link is named by its
 * resource type, and the arbiter takes what is left, oldest first, naming the links in order.
 *
 * <p>Each race has a {@code Broken} twin that runs the same actors on {@link BrokenTaskLinks}, a
 * copy of the algorithm with one atomic step split in two: jcstress must find it forbidden
 * outcomes.
 */
public final class TaskLinksStress {

  private TaskLinksStress() {}

  /** Links taken from {@code task} by {@link TaskLinks#takeToRun}, oldest first, until none. */
  static String drain(Object task) {
    StringBuilder taken = new StringBuilder();
    Link link;
    for (int i = 0; i < 8 && (link = TaskLinks.takeToRun(task)) != null; i++) {
      taken.append(taken.length() == 0 ? "" : "-").append(link.type);
    }
    return taken.toString();
  }

  static String drain(BrokenTaskLinks links, Object task) {
    StringBuilder taken = new StringBuilder();
    Link link;
    for (int i = 0; i < 8 && (link = links.take(task)) != null; i++) {
      taken.append(taken.length() == 0 ? "" : "-").append(link.type);
    }
    return taken.toString();
  }

  static Link link(String name) {
    return new Link(name, ResourceCore.CURRENT_TRIGGER, false, ExecutionState.current());
  }

  /**
   * Two threads attach a link each to a task that holds one: both race to convert the single link
   * into a slot; the loser must find the slot and add its link to it. All three links are kept, the
   * first one oldest.
   */
  @JCStressTest
  @Description("Two attaches racing to convert a task's single link into a slot")
  @Outcome(
      id = {"first-a-b", "first-b-a"},
      expect = ACCEPTABLE,
      desc = "every link kept, the first oldest")
  @Outcome(expect = FORBIDDEN, desc = "a link lost, duplicated or out of order")
  @State
  public static class ConversionRace {
    private final Object task = new Object();

    public ConversionRace() {
      TaskLinks.linkTask(task, "first", false, ExecutionState.current());
    }

    @Actor
    public void attachA() {
      TaskLinks.linkTask(task, "a", false, ExecutionState.current());
    }

    @Actor
    public void attachB() {
      TaskLinks.linkTask(task, "b", false, ExecutionState.current());
    }

    @Arbiter
    public void arbiter(L_Result r) {
      r.r1 = drain(task);
    }
  }

  /** {@link ConversionRace} on the copy whose conversion is a remove and a put, not a replace. */
  @JCStressTest
  @Description("ConversionRace on a copy that converts without compare-and-set: must fail")
  @Outcome(
      id = {"first-a-b", "first-b-a"},
      expect = ACCEPTABLE,
      desc = "every link kept, the first oldest")
  @Outcome(expect = FORBIDDEN, desc = "a link lost, duplicated or out of order")
  @State
  public static class ConversionRaceBroken {
    private final BrokenTaskLinks links =
        new BrokenTaskLinks(BrokenTaskLinks.Defect.CONVERT_WITHOUT_CAS);
    private final Object task = new Object();

    public ConversionRaceBroken() {
      links.attach(task, link("first"));
    }

    @Actor
    public void attachA() {
      links.attach(task, link("a"));
    }

    @Actor
    public void attachB() {
      links.attach(task, link("b"));
    }

    @Arbiter
    public void arbiter(L_Result r) {
      r.r1 = drain(links, task);
    }
  }

  /**
   * One thread attaches a second link to a task while another takes the task to run it: the taker
   * gets the first link (whether it finds the single link or the slot), and the second one is left
   * for the next run. No link is taken twice or lost.
   */
  @JCStressTest
  @Description("An attach converting a task's link into a slot, racing a take")
  @Outcome(
      id = "first, second",
      expect = ACCEPTABLE,
      desc = "the taker ran the first link, the second is left")
  @Outcome(expect = FORBIDDEN, desc = "a link lost or taken twice")
  @State
  public static class TakeRace {
    private final Object task = new Object();

    public TakeRace() {
      TaskLinks.linkTask(task, "first", false, ExecutionState.current());
    }

    @Actor
    public void attach() {
      TaskLinks.linkTask(task, "second", false, ExecutionState.current());
    }

    @Actor
    public void take(LL_Result r) {
      Link link = TaskLinks.takeToRun(task);
      r.r1 = link == null ? "none" : link.type;
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r2 = drain(task);
    }
  }

  /** {@link TakeRace} on the copy whose take removes the task's value without comparing it. */
  @JCStressTest
  @Description("TakeRace on a copy whose take removes without comparing: must fail")
  @Outcome(
      id = "first, second",
      expect = ACCEPTABLE,
      desc = "the taker ran the first link, the second is left")
  @Outcome(expect = FORBIDDEN, desc = "a link lost or taken twice")
  @State
  public static class TakeRaceBroken {
    private final BrokenTaskLinks links =
        new BrokenTaskLinks(BrokenTaskLinks.Defect.TAKE_WITHOUT_CHECK);
    private final Object task = new Object();

    public TakeRaceBroken() {
      links.attach(task, link("first"));
    }

    @Actor
    public void attach() {
      links.attach(task, link("second"));
    }

    @Actor
    public void take(LL_Result r) {
      Link link = links.take(task);
      r.r1 = link == null ? "none" : link.type;
    }

    @Arbiter
    public void arbiter(LL_Result r) {
      r.r2 = drain(links, task);
    }
  }
}
