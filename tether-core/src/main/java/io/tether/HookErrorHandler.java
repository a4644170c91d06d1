package io.tether;

/**
 * Receives the exceptions that {@link AsyncHookCallbacks} throw, which never reach the application.
 * Install one with {@link AsyncHooks#setHookErrorHandler(HookErrorHandler)}.
 *
 * <p>The default handler prints one report per failure to {@code System.err}: which hook, which
 * event, which async id, and the stack; after 100 reports it prints only a count every 1,000. With
 * the system property {@code tether.hooks.disableOnError=true} it also disables the hook that
 * threw, so a broken hook costs nothing further.
 */
@FunctionalInterface
public interface HookErrorHandler {

  /**
   * Handles one failure. Runs on the thread of the event, inside hook dispatch: it must not throw
   * (what it throws is dropped) and should be quick.
   *
   * @param hook the hook whose callback threw
   * @param event the callback's name: {@code init}, {@code before}, {@code after}, {@code destroy}
   *     or {@code promiseResolve}
   * @param asyncId the resource the event was about
   * @param error what the callback threw
   */
  void onHookError(AsyncHook hook, String event, long asyncId, Throwable error);
}
