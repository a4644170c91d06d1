package io.tether;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Records every hook event as text ({@code init 7 TYPE 1}, {@code before 7}, ...), thread-safely. */
final class RecordingHook implements AsyncHookCallbacks {

  private final List<String> events = new ArrayList<>();
  private final Set<Long> destroyed = ConcurrentHashMap.newKeySet();
  final AsyncHook hook = AsyncHooks.createHook(this);

  RecordingHook enable() {
    hook.enable();
    return this;
  }

  void disable() {
    hook.disable();
  }

  private synchronized void add(String event) {
    events.add(event);
    notifyAll();
  }

  @Override
  public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
    add("init " + asyncId + " " + type + " " + triggerAsyncId);
  }

  @Override
  public void before(long asyncId) {
    add("before " + asyncId);
  }

  @Override
  public void after(long asyncId) {
    add("after " + asyncId);
  }

  @Override
  public synchronized void destroy(long asyncId) {
    // Event first, then the set awaitDestroy waits on, under one lock: a waiter that sees the id
    // also sees the event.
    add("destroy " + asyncId);
    destroyed.add(asyncId);
  }

  @Override
  public void promiseResolve(long asyncId) {
    add("promiseResolve " + asyncId);
  }

  /** Events about {@code asyncId}, in order. */
  synchronized List<String> eventsOf(long asyncId) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      String[] parts = e.split(" ");
      if (Long.parseLong(parts[1]) == asyncId) {
        out.add(parts[0]);
      }
    }
    return out;
  }

  synchronized List<String> events() {
    return new ArrayList<>(events);
  }

  /** The ids of resources of {@code type} whose init was recorded, in order. */
  synchronized List<Long> idsOfType(String type) {
    List<Long> out = new ArrayList<>();
    for (String e : events) {
      String[] parts = e.split(" ");
      if (parts[0].equals("init") && parts[2].equals(type)) {
        out.add(Long.parseLong(parts[1]));
      }
    }
    return out;
  }

  /** Waits (bounded) until destroy of {@code asyncId} was recorded; false on time-out. */
  synchronized boolean awaitDestroy(long asyncId, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!destroyed.contains(asyncId)) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  static void await(CountDownLatch latch) throws InterruptedException {
    if (!latch.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("timed out waiting for a latch");
    }
  }
}
