package io.tether;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves context behind on the test thread: a frame that is not empty, an
 * unfinished continuation, changed execution ids, or an enabled hook. Cleans up after itself so
 * one leaky test does not fail the next.
 */
final class LeavesNoContext implements BeforeEachCallback, AfterEachCallback {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(LeavesNoContext.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    ExecutionState s = ExecutionState.current();
    context.getStore(NS).put("ids", new long[] {s.asyncId, s.triggerAsyncId});
  }

  @Override
  public void afterEach(ExtensionContext context) {
    ExecutionState s = ExecutionState.current();
    long[] ids = context.getStore(NS).get("ids", long[].class);
    Frame frame = s.frame;
    int depth = s.depth();
    long asyncId = s.asyncId;
    long triggerAsyncId = s.triggerAsyncId;
    Hooks.HookSet hooks = Hooks.active;
    s.setFrame(Frame.EMPTY);
    if (hooks != null) {
      // Disable what the test left enabled through the registry, so that no hook stays
      // half-enabled (off in the dispatch set, on in its own flag) for the next test.
      java.util.Set<AsyncHook> left = new java.util.HashSet<>();
      for (AsyncHook[] byEvent : new AsyncHook[][] {hooks.init, hooks.before, hooks.after,
          hooks.destroy, hooks.promiseResolve}) {
        left.addAll(java.util.Arrays.asList(byEvent));
      }
      left.forEach(AsyncHook::disable);
    }
    assertThat(frame).as("context left on the test thread").isSameAs(Frame.EMPTY);
    assertThat(depth).as("continuations left open on the test thread").isZero();
    assertThat(new long[] {asyncId, triggerAsyncId}).as("execution ids").containsExactly(ids);
    assertThat(hooks).as("hooks left enabled").isNull();
  }
}
