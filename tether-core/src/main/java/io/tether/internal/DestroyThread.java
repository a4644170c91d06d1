package io.tether.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Not public API. The daemon thread that delivers destroy events raised inside application code. It
 * is a plain thread fed by a lock-free queue, not an executor, so that no instrumentation ever
 * treats its work as application work. Under a steady stream of events (every completed future of a
 * busy server) it wakes about once a millisecond and delivers what gathered, rather than once an
 * event; idle, it parks until the next event unparks it.
 */
final class DestroyThread {
  private static final ConcurrentLinkedQueue<Long> QUEUE = new ConcurrentLinkedQueue<>();
  private static final long GATHER_NANOS = 1_000_000;
  private static volatile boolean sleeping;
  private static final Thread THREAD;

  static {
    THREAD = Nesting.startOwnThread("tether-destroy", DestroyThread::drain);
  }

  static void add(long asyncId) {
    QUEUE.offer(asyncId);
    if (sleeping) { // read after the offer: a thread going to sleep re-reads the queue after
      LockSupport.unpark(THREAD);
    }
  }

  private static void drain() {
    ExecutionState.current().asyncId = 0;
    while (true) {
      try {
        Thread.interrupted(); // a stray interrupt must not turn park() into a busy loop
        Long id;
        while ((id = QUEUE.poll()) != null) {
          Hooks.destroyNow(id);
        }
        LockSupport.parkNanos(GATHER_NANOS);
        if (QUEUE.isEmpty()) {
          sleeping = true;
          if (QUEUE.isEmpty()) { // re-read after announcing the sleep: no event is missed
            LockSupport.park();
          }
          sleeping = false;
        }
      } catch (Throwable t) {
        // destroyNow reports callback failures itself; keep delivering whatever else happens
      }
    }
  }
}
