package io.tether.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * The copy-on-write hook set ({@link Hooks}) under races: one thread enables hook {@code A}, then
 * {@code B}, disables {@code B}, then {@code A}, while another dispatches one event. The sets that
 * exist are none, {@code A}, {@code A B}, {@code A} and none again, and a dispatch sees exactly one
 * of them: never {@code B} without {@code A}, never a hook twice, never a failure.
 *
 * <p>The hooks are global: each state dispatches its own async id, which only its own hooks record,
 * so that the states jcstress runs side by side do not see each other's events.
 */
public final class HooksStress {

  private static final AtomicLong IDS = new AtomicLong(1L << 62);

  private HooksStress() {}

  /** Records the destroy events of one async id, in order, by the hook's name. */
  static final class Recorder implements AsyncHookCallbacks {
    private final String name;
    private final long asyncId;
    private final StringBuilder seen;

    Recorder(String name, long asyncId, StringBuilder seen) {
      this.name = name;
      this.asyncId = asyncId;
      this.seen = seen;
    }

    @Override
    public void destroy(long id) {
      if (id == asyncId) {
        seen.append(seen.length() == 0 ? "" : "-").append(name);
      }
    }
  }

  /** Enable and disable racing a dispatch, on Tether's hook set. */
  @JCStressTest
  @Description("Hooks enabled and disabled while an event is dispatched")
  @Outcome(
      id = {"none", "A", "A-B"},
      expect = ACCEPTABLE,
      desc = "the dispatch saw one whole set")
  @Outcome(expect = FORBIDDEN, desc = "a set that never existed, a hook twice, or a failure")
  @State
  public static class EnableRace {
    private final long asyncId = IDS.getAndIncrement();
    private final StringBuilder seen = new StringBuilder();
    private final AsyncHook a = AsyncHooks.createHook(new Recorder("A", asyncId, seen));
    private final AsyncHook b = AsyncHooks.createHook(new Recorder("B", asyncId, seen));

    @Actor
    public void change() {
      a.enable();
      b.enable();
      b.disable();
      a.disable();
    }

    @Actor
    public void dispatch(L_Result r) {
      try {
        Hooks.destroyNow(asyncId);
        r.r1 = seen.length() == 0 ? "none" : seen.toString();
      } catch (RuntimeException e) {
        r.r1 = e.getClass().getSimpleName();
      }
    }
  }

  /**
   * {@link EnableRace} on a copy of the registry that changes the enabled list in place (no copy on
   * write) and dispatches over it as it stands: must fail. Its list is its own, so {@code A} is
   * enabled before the actors start (the same sets follow), which makes the dispatch meet a change
   * far more often than one that must wait for the first.
   */
  @JCStressTest
  @Description("EnableRace on a hook list changed in place: must fail")
  @Outcome(
      id = {"none", "A", "A-B"},
      expect = ACCEPTABLE,
      desc = "the dispatch saw one whole set")
  @Outcome(expect = FORBIDDEN, desc = "a set that never existed, a hook twice, or a failure")
  @State
  public static class EnableRaceBroken {
    private final List<Recorder> enabled = new ArrayList<>();
    private final StringBuilder seen = new StringBuilder();
    private final Recorder a = new Recorder("A", 1, seen);
    private final Recorder b = new Recorder("B", 1, seen);

    public EnableRaceBroken() {
      enable(a);
    }

    private void enable(Recorder hook) {
      synchronized (enabled) {
        enabled.add(hook);
      }
    }

    private void disable(Recorder hook) {
      synchronized (enabled) {
        enabled.remove(hook);
      }
    }

    @Actor
    public void change() {
      enable(b);
      disable(b);
      disable(a);
    }

    @Actor
    public void dispatch(L_Result r) {
      try {
        for (Recorder hook : enabled) { // the defect: the live list, not an immutable snapshot
          hook.destroy(1);
        }
        r.r1 = seen.length() == 0 ? "none" : seen.toString();
      } catch (RuntimeException e) {
        r.r1 = e.getClass().getSimpleName();
      }
    }
  }
}
