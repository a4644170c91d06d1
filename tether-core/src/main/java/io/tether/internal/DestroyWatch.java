package io.tether.internal;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;

/**
 * Not public API. Raises destroy for a resource that became unreachable without being destroyed.
 * Holds only the id, never the resource, or the resource could never become unreachable.
 *
 * <p>A phantom reference to the resource, kept reachable in one of {@link #STRIPES} lists (the
 * stripe by async id, so threads linking and ending resources rarely meet on a lock) until it is
 * cancelled or the collector enqueues it. Cancelling unlinks it and nothing more: a reference
 * object that is itself unreachable is never enqueued, so there is nothing to clear. Tether's own
 * daemon thread ({@code tether-cleaner}, started unlinked) raises destroy for the enqueued.
 */
final class DestroyWatch extends PhantomReference<ResourceCore> {
  private static final int STRIPES = 16;
  private static final DestroyWatch[] HEADS = new DestroyWatch[STRIPES];
  private static final ReferenceQueue<ResourceCore> UNREACHABLE = new ReferenceQueue<>();

  static {
    for (int i = 0; i < STRIPES; i++) {
      HEADS[i] = new DestroyWatch();
    }
    Nesting.startOwnThread("tether-cleaner", DestroyWatch::collected);
  }

  private final long asyncId;

  /** The stripe's list head (a sentinel), the lock of {@link #prev} and {@link #next}. */
  private final DestroyWatch head;

  private DestroyWatch prev;
  private DestroyWatch next;
  private volatile boolean done;

  /** A stripe's sentinel. */
  private DestroyWatch() {
    super(null, null);
    asyncId = 0;
    head = this;
    prev = this;
    next = this;
  }

  private DestroyWatch(ResourceCore resource) {
    super(resource, UNREACHABLE);
    asyncId = resource.asyncId;
    head = HEADS[(int) asyncId & (STRIPES - 1)];
    synchronized (head) {
      next = head.next;
      prev = head;
      head.next.prev = this;
      head.next = this;
    }
  }

  static DestroyWatch watch(ResourceCore resource) {
    return new DestroyWatch(resource);
  }

  static int held() {
    int n = 0;
    for (DestroyWatch head : HEADS) {
      synchronized (head) {
        for (DestroyWatch w = head.next; w != head; w = w.next) {
          n++;
        }
      }
    }
    return n;
  }

  /** Destroy was raised another way: the collector need not tell us any more. */
  void cancel() {
    done = true;
    unlink();
  }

  private void unlink() {
    synchronized (head) {
      if (next != null) {
        prev.next = next;
        next.prev = prev;
        next = null;
        prev = null;
      }
    }
  }

  private static void collected() {
    while (true) {
      try {
        DestroyWatch w = (DestroyWatch) UNREACHABLE.remove();
        w.unlink();
        if (!w.done) {
          w.done = true;
          Hooks.destroyNow(w.asyncId);
        }
      } catch (Throwable t) {
        // a daemon: it runs as long as the JVM does; destroyNow reports hook failures itself
      }
    }
  }
}
