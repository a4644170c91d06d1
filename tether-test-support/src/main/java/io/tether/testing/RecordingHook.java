package io.tether.testing;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * An async hook that records every event it receives as a line of text, in order, from any thread:
 * {@code init 7 TYPE 3} (the id, the type, the trigger id), {@code before 7}, {@code after 7},
 * {@code destroy 7}, {@code promiseResolve 7}. Created disabled; closing it disables it.
 *
 * <pre>{@code
 * try (RecordingHook recorder = new RecordingHook().enable()) {
 *   REQUEST.run("r1", () -> pool.execute(task));
 *   long id = recorder.idsOfTypeFromThisThread("EXECUTOR_TASK").get(0);
 *   assertThat(recorder.awaitDestroy(id)).isTrue();
 *   assertThat(recorder.eventsOf(id)).containsExactly("init", "before", "after", "destroy");
 * }
 * }</pre>
 */
public final class RecordingHook implements AsyncHookCallbacks, AutoCloseable {

  /** The value of {@link #triggerOf(long)} for a resource whose init was not recorded. */
  public static final long NO_INIT = -1;

  private final List<String> events = new ArrayList<>();

  /** The id of the thread each recorded init ran on, by resource id. */
  private final Map<Long, Long> initThreads = new HashMap<>();

  private final Set<Long> destroyed = new HashSet<>();
  private final AsyncHook hook = AsyncHooks.createHook(this);

  /** Creates a recording hook, disabled: nothing is recorded until {@link #enable()}. */
  public RecordingHook() {}

  /**
   * Starts recording, from the next event on. Idempotent.
   *
   * @return this recording hook
   */
  public RecordingHook enable() {
    hook.enable();
    return this;
  }

  /**
   * Stops recording, from the next event on; what was recorded stays. Idempotent.
   *
   * @return this recording hook
   */
  public RecordingHook disable() {
    hook.disable();
    return this;
  }

  /** Stops recording, as {@link #disable()}: for try-with-resources. */
  @Override
  public void close() {
    disable();
  }

  /** The hook that delivers the events, to enable or disable it directly. */
  public AsyncHook hook() {
    return hook;
  }

  /** Records {@code init asyncId type triggerAsyncId}, and the thread it ran on. */
  @Override
  @SuppressWarnings("deprecation") // Thread.getId(): threadId() is JDK 19+
  public synchronized void init(long asyncId, String type, long triggerAsyncId, Object resource) {
    initThreads.put(asyncId, Thread.currentThread().getId());
    add("init " + asyncId + " " + type + " " + triggerAsyncId);
  }

  /** Records {@code before asyncId}. */
  @Override
  public void before(long asyncId) {
    add("before " + asyncId);
  }

  /** Records {@code after asyncId}. */
  @Override
  public void after(long asyncId) {
    add("after " + asyncId);
  }

  /** Records {@code destroy asyncId}, and wakes {@link #awaitDestroy} waiters. */
  @Override
  public synchronized void destroy(long asyncId) {
    // Event and set under one lock: a waiter that sees the id also sees the event.
    destroyed.add(asyncId);
    add("destroy " + asyncId);
  }

  /** Records {@code promiseResolve asyncId}. */
  @Override
  public void promiseResolve(long asyncId) {
    add("promiseResolve " + asyncId);
  }

  private synchronized void add(String event) {
    events.add(event);
    notifyAll();
  }

  /** Every event recorded so far, in order, as text ({@code init 7 TYPE 3}, ...). */
  public synchronized List<String> events() {
    return new ArrayList<>(events);
  }

  /**
   * The events about one resource, by name only, in order: {@code [init, before, after, destroy]}.
   *
   * @param asyncId the resource's id
   * @return the names of its events
   */
  public synchronized List<String> eventsOf(long asyncId) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      String[] parts = e.split(" ");
      if (Long.parseLong(parts[1]) == asyncId) {
        out.add(parts[0]);
      }
    }
    return out;
  }

  /**
   * The ids of the resources of {@code type} whose init was recorded, on any thread, in order.
   *
   * @param type the resource type
   * @return their ids
   */
  public synchronized List<Long> idsOfType(String type) {
    return idsOfType(type, null);
  }

  /**
   * The ids of the resources of {@code type} whose init ran on the calling thread (that this thread
   * linked), in order: work that other threads of the JVM link meanwhile (an idle HttpClient, the
   * pool of an earlier test) is left out.
   *
   * @param type the resource type
   * @return their ids
   */
  @SuppressWarnings("deprecation") // Thread.getId(): threadId() is JDK 19+
  public synchronized List<Long> idsOfTypeFromThisThread(String type) {
    return idsOfType(type, Thread.currentThread().getId());
  }

  private List<Long> idsOfType(String type, Long thread) {
    List<Long> out = new ArrayList<>();
    for (String e : events) {
      String[] parts = e.split(" ");
      if (parts[0].equals("init") && parts[2].equals(type)) {
        long id = Long.parseLong(parts[1]);
        if (thread == null || thread.equals(initThreads.get(id))) {
          out.add(id);
        }
      }
    }
    return out;
  }

  /**
   * The trigger id recorded in the init of a resource.
   *
   * @param asyncId the resource's id
   * @return its trigger id, or {@link #NO_INIT} if its init was not recorded
   */
  public synchronized long triggerOf(long asyncId) {
    for (String e : events) {
      String[] parts = e.split(" ");
      if (parts[0].equals("init") && Long.parseLong(parts[1]) == asyncId) {
        return Long.parseLong(parts[3]);
      }
    }
    return NO_INIT;
  }

  /**
   * Waits until the destroy of a resource is recorded, for at most {@link Waits#TIMEOUT}.
   *
   * @param asyncId the resource's id
   * @return whether it was recorded in time
   * @throws AssertionError if the thread is interrupted
   */
  public boolean awaitDestroy(long asyncId) {
    return awaitDestroy(asyncId, Waits.TIMEOUT.toMillis());
  }

  /**
   * Waits until the destroy of a resource is recorded, for at most {@code timeoutMillis}.
   *
   * @param asyncId the resource's id
   * @param timeoutMillis how long to wait at most, in milliseconds
   * @return whether it was recorded in time
   * @throws AssertionError if the thread is interrupted
   */
  public synchronized boolean awaitDestroy(long asyncId, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!destroyed.contains(asyncId)) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for the destroy of " + asyncId, e);
      }
    }
    return true;
  }
}
