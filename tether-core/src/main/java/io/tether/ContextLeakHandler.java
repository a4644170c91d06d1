package io.tether;

/**
 * Receives the context leaks the detector finds (see {@link ContextLeaks}). Install one with {@link
 * ContextLeaks#setHandler(ContextLeakHandler)}.
 *
 * <p>The default handler prints each report's {@link ContextLeak#message() one line} to {@code
 * System.err}; after 100 reports it prints only a count every 1,000, like the default {@link
 * HookErrorHandler}.
 */
@FunctionalInterface
public interface ContextLeakHandler {

  /**
   * Handles one report; each leak is reported once. Runs on the detector's thread ({@code
   * tether-leaks}) or on the thread that called {@link ContextLeaks#check()}: what it throws is
   * dropped.
   *
   * @param leak the report
   */
  void onContextLeak(ContextLeak leak);
}
