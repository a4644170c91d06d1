package io.tether.internal;

import io.tether.AsyncHook;
import io.tether.HookErrorHandler;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/** Test-only views of the hook registry, for tests of the API package. */
public final class TestAccess {

  private TestAccess() {}

  /** Whether any hook is enabled (the dispatch set exists). */
  public static boolean anyHookEnabled() {
    return Hooks.active != null;
  }

  /** The hooks enabled now, by the dispatch set. */
  public static Set<AsyncHook> enabledHooks() {
    Hooks.HookSet h = Hooks.active;
    Set<AsyncHook> hooks = new LinkedHashSet<>();
    if (h != null) {
      for (HookEntry[] byEvent :
          Arrays.asList(h.init, h.before, h.after, h.destroy, h.promiseResolve)) {
        for (HookEntry e : byEvent) {
          hooks.add(e.hook);
        }
      }
    }
    return hooks;
  }

  /** How many enabled hooks the dispatch of {@code event} calls. */
  public static int hooksWith(String event) {
    Hooks.HookSet h = Hooks.active;
    if (h == null) {
      return 0;
    }
    switch (event) {
      case "init":
        return h.init.length;
      case "before":
        return h.before.length;
      case "after":
        return h.after.length;
      case "destroy":
        return h.destroy.length;
      default:
        return h.promiseResolve.length;
    }
  }

  /** A new instance of the default hook error policy. */
  public static HookErrorHandler defaultHookErrorHandler() {
    return new Hooks.DefaultHookErrorHandler();
  }
}
