package io.tether.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.tether.AsyncResource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * The destroy watch lists ({@link DestroyWatch}) under races: a watch registered while its
 * neighbour in the same stripe is cancelled. Both change the links next to the stripe's head; the
 * new watch must end up in the list, correctly linked both ways, and the cancelled one out of it.
 * The arbiter reads the private links through {@link VarHandle}s, under the stripe's lock.
 */
public final class DestroyWatchStress {

  private static final VarHandle NEXT;
  private static final VarHandle PREV;
  private static final VarHandle HEAD;

  static {
    try {
      MethodHandles.Lookup lookup =
          MethodHandles.privateLookupIn(DestroyWatch.class, MethodHandles.lookup());
      NEXT = lookup.findVarHandle(DestroyWatch.class, "next", DestroyWatch.class);
      PREV = lookup.findVarHandle(DestroyWatch.class, "prev", DestroyWatch.class);
      HEAD = lookup.findVarHandle(DestroyWatch.class, "head", DestroyWatch.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private DestroyWatchStress() {}

  /** Two resources whose watches share a stripe (the stripe is the async id's low bits). */
  static ResourceCore[] sameStripe() {
    ResourceCore first = new AsyncResource("watched");
    while (true) {
      ResourceCore second = new AsyncResource("watched");
      if (((second.asyncId - first.asyncId) & 15) == 0) {
        return new ResourceCore[] {first, second};
      }
    }
  }

  /** A registration racing the cancellation of the watch next to the stripe's head. */
  @JCStressTest
  @Description("A destroy watch registered while its neighbour is cancelled")
  @Outcome(
      id = "true, true",
      expect = ACCEPTABLE,
      desc = "the new watch is linked both ways, the cancelled one is out")
  @Outcome(expect = FORBIDDEN, desc = "a watch lost, or a cancelled one still linked")
  @State
  public static class RegisterRace {
    private final ResourceCore[] resources = sameStripe();
    private final DestroyWatch cancelled = DestroyWatch.watch(resources[0]);
    private DestroyWatch registered;

    @Actor
    public void register() {
      registered = DestroyWatch.watch(resources[1]);
    }

    @Actor
    public void cancel() {
      cancelled.cancel();
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
      synchronized (HEAD.get(registered)) {
        DestroyWatch next = (DestroyWatch) NEXT.get(registered);
        DestroyWatch prev = (DestroyWatch) PREV.get(registered);
        r.r1 =
            next != null
                && prev != null
                && PREV.get(next) == registered
                && NEXT.get(prev) == registered;
        r.r2 = NEXT.get(cancelled) == null && PREV.get(cancelled) == null;
      }
      registered.cancel();
    }
  }

  /**
   * {@link RegisterRace} on a copy of the stripe list whose cancellation unlinks without the
   * stripe's lock: must fail.
   */
  @JCStressTest
  @Description("RegisterRace on a list unlinked without its lock: must fail")
  @Outcome(
      id = "true, true",
      expect = ACCEPTABLE,
      desc = "the new watch is linked both ways, the cancelled one is out")
  @Outcome(expect = FORBIDDEN, desc = "a watch lost, or a cancelled one still linked")
  @State
  public static class RegisterRaceBroken {
    private final Node head = new Node(null);
    private final Node cancelled = new Node(head);
    private Node registered;

    @Actor
    public void register() {
      registered = new Node(head);
    }

    @Actor
    public void cancel() {
      cancelled.unlinkUnlocked();
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
      synchronized (head) {
        Node next = registered.next;
        Node prev = registered.prev;
        boolean reachable = false;
        for (Node n = head.next; n != head && n != null; n = n.next) {
          reachable |= n == registered;
        }
        r.r1 =
            reachable
                && next != null
                && prev != null
                && next.prev == registered
                && prev.next == registered;
        r.r2 = cancelled.next == null && cancelled.prev == null;
      }
    }

    /** {@code DestroyWatch}'s list: a sentinel head, insertion after it under its lock. */
    static final class Node {
      final Node head;
      Node prev;
      Node next;

      Node(Node head) {
        if (head == null) {
          this.head = this;
          prev = this;
          next = this;
          return;
        }
        this.head = head;
        synchronized (head) {
          next = head.next;
          prev = head;
          head.next.prev = this;
          head.next = this;
        }
      }

      /** The defect: {@code DestroyWatch.unlink} without {@code synchronized (head)}. */
      void unlinkUnlocked() {
        if (next != null) {
          prev.next = next;
          next.prev = prev;
          next = null;
          prev = null;
        }
      }
    }
  }
}
