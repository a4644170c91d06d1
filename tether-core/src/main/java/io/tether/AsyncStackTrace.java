package io.tether;

/**
 * Where a piece of async work was linked: added as a suppressed exception to an exception that
 * escapes the work's continuation, one per link of its causal chain (the work itself, the work that
 * linked it, and so on), so that {@code printStackTrace()} shows the stacks that led to the failure
 * across threads. Recorded only with the agent option {@code asyncStackTraces=true}; see the agent
 * documentation (docs/agent.md).
 *
 * <p>Its stack trace is the link point's, application frames first (the JDK's and Tether's frames
 * above the first application frame are left out), at most 16 frames; at most 8 links are added.
 */
public final class AsyncStackTrace extends Throwable {

  private static final long serialVersionUID = 1L;

  /**
   * A link point's stack.
   *
   * @param message what was linked, and on which thread
   * @param frames the link point's stack, innermost first
   */
  public AsyncStackTrace(String message, StackTraceElement[] frames) {
    super(message, null, false, true);
    setStackTrace(frames);
  }

  /** Its stack is the link point's, set at creation: nothing of the thread creating it. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
