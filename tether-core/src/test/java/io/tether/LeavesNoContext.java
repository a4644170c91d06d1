package io.tether;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.internal.ExecutionState;
import io.tether.internal.Frame;
import io.tether.internal.TestAccess;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves context behind on the test thread: a frame that is not empty, an
 * unfinished continuation, changed execution ids, or an enabled hook. Cleans up after itself so
 * one leaky test does not fail the next.
 */
public final class LeavesNoContext implements BeforeEachCallback, AfterEachCallback {

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
    java.util.Set<AsyncHook> hooks = TestAccess.enabledHooks();
    s.setFrame(Frame.EMPTY);
    // Disable what the test left enabled through the registry, so that no hook stays
    // half-enabled (off in the dispatch set, on in its own flag) for the next test.
    hooks.forEach(AsyncHook::disable);
    assertThat(frame).as("context left on the test thread").isSameAs(Frame.EMPTY);
    assertThat(depth).as("continuations left open on the test thread").isZero();
    assertThat(new long[] {asyncId, triggerAsyncId}).as("execution ids").containsExactly(ids);
    assertThat(hooks).as("hooks left enabled").isEmpty();
  }
}
