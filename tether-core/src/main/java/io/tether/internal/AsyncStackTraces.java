package io.tether.internal;

import io.tether.AsyncStackTrace;

/**
 * Not public API. Async stack traces (agent option {@code asyncStackTraces=true}): each resource
 * linked records the stack of its link point and the link of the work that linked it; an exception
 * escaping a continuation gets the chain as {@code AsyncStackTrace}s. Off (the default), the only
 * cost is reading one static field per resource created.
 */
public final class AsyncStackTraces {

  static final int MAX_FRAMES = 16;
  static final int MAX_LINKS = 8;

  /** Set once, before the application runs, by the agent. */
  static volatile boolean enabled;

  /** Turns async stack traces on, for every resource linked from now on. */
  public static void enable() {
    enabled = true;
  }

  private static final WeakIdentityMap<Captured> TRACES = new WeakIdentityMap<>();
  private static final StackWalker WALKER = StackWalker.getInstance();

  private AsyncStackTraces() {}

  /**
   * One link point: the resource linked, where, and the link of the work that linked it. The frames
   * are kept as the walker gave them and turned into stack trace elements (the costly part) only
   * when an exception needs them.
   */
  static final class Captured {
    final String type;
    final long asyncId;
    final String thread;
    final Object[] frames;
    final Captured parent;

    Captured(String type, long asyncId, String thread, Object[] frames, Captured parent) {
      this.type = type;
      this.asyncId = asyncId;
      this.thread = thread;
      this.frames = frames;
      this.parent = parent;
    }

    AsyncStackTrace toThrowable() {
      StackTraceElement[] elements = new StackTraceElement[frames.length];
      for (int i = 0; i < frames.length; i++) {
        elements[i] = ((StackWalker.StackFrame) frames[i]).toStackTraceElement();
      }
      return new AsyncStackTrace(type + "#" + asyncId + " linked on thread " + thread, elements);
    }
  }

  /** Records where {@code resource} is being linked (called as it is created). */
  static void capture(ResourceCore resource, ExecutionState s) {
    try {
      Captured parent = s.resource == null ? null : TRACES.get(s.resource);
      Object[] frames =
          WALKER.walk(
              stack ->
                  stack
                      .dropWhile(f -> CallSites.isInternal(f.getClassName()))
                      .limit(MAX_FRAMES)
                      .toArray());
      TRACES.putIfAbsent(
          resource,
          new Captured(
              resource.type, resource.asyncId, Thread.currentThread().getName(), frames, parent));
    } catch (RuntimeException | StackOverflowError e) {
      // a trace is a help, never a failure of the application
    }
  }

  /**
   * Adds the async stack of {@code resource} (the continuation {@code thrown} escapes) to {@code
   * thrown}, once.
   */
  static void attach(Throwable thrown, Object resource) {
    if (!enabled || thrown == null || resource == null) {
      return;
    }
    Captured c = TRACES.get(resource);
    if (c == null) {
      return;
    }
    synchronized (thrown) {
      for (Throwable s : thrown.getSuppressed()) {
        if (s instanceof AsyncStackTrace) {
          return;
        }
      }
      for (int i = 0; c != null && i < MAX_LINKS; i++, c = c.parent) {
        thrown.addSuppressed(c.toThrowable());
      }
    }
  }

  /** {@link #attach} with the resource whose continuation is running here. */
  static void attachCurrent(Throwable thrown) {
    if (enabled) {
      attach(thrown, ExecutionState.current().resource);
    }
  }
}
