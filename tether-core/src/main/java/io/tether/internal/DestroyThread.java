package io.tether.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Not public API. The daemon thread that delivers destroy events raised inside application code. It
 * is a plain thread fed by a lock-free queue, not an executor, so that no instrumentation ever
 * treats its work as application work. Under a steady stream of events (every completed future of a
 * busy server) it wakes about once a millisecond and delivers what gathered, rather than once an
 * event; idle, it parks until the next event unparks it. The ids wait in a ring of {@code long}s
 * (no boxing, no node an event); only while the ring is full do they go to a queue of objects, and
 * then every id does until that queue is empty again, so the ids of one thread keep their order.
 */
final class DestroyThread {
  /**
   * 8,192 ids (128 KB): four milliseconds' worth at two million destroy events a second (a busy
   * request path under all hooks; 2,048 measured too few there).
   */
  private static final LongRing RING = new LongRing(8192);

  private static final ConcurrentLinkedQueue<Long> OVERFLOW = new ConcurrentLinkedQueue<>();
  private static final long GATHER_NANOS = 1_000_000;
  private static final Thread THREAD;

  static {
    THREAD = Nesting.startOwnThread("tether-destroy", DestroyThread::drain);
  }

  static void add(long asyncId) {
    if (!OVERFLOW.isEmpty() || !RING.offer(asyncId)) {
      OVERFLOW.offer(asyncId);
    }
    if (RING.wakeNeeded()) { // asked after the offer: a drainer going to sleep looks again after
      LockSupport.unpark(THREAD);
    }
  }

  private static void drain() {
    ExecutionState.current().asyncId = 0;
    while (true) {
      try {
        Thread.interrupted(); // a stray interrupt must not turn park() into a busy loop
        deliver();
        LockSupport.parkNanos(GATHER_NANOS);
        if (empty()) {
          RING.sleeping(true);
          if (empty()) { // re-read after announcing the sleep: no event is missed
            LockSupport.park();
          }
          RING.sleeping(false);
        }
      } catch (Throwable t) {
        // destroyNow reports callback failures itself; keep delivering whatever else happens
      }
    }
  }

  /** Delivers every id waiting: the ring's, then the overflow's (younger), until both are empty. */
  private static void deliver() {
    boolean any;
    do {
      any = false;
      while (RING.ready()) {
        Hooks.destroyNow(RING.take());
        any = true;
      }
      Long id;
      while ((id = OVERFLOW.poll()) != null) {
        Hooks.destroyNow(id);
        any = true;
      }
    } while (any);
  }

  /**
   * Whether nothing was added that is not delivered: no position of the ring claimed (a value being
   * published counts, so the drainer does not sleep on it: {@link LongRing}'s wake-up needs this),
   * and the overflow empty.
   */
  private static boolean empty() {
    return !RING.pending() && OVERFLOW.isEmpty();
  }
}
