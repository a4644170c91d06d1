package io.tether;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.internal.ExecutionState;
import io.tether.internal.Frame;
import io.tether.internal.TestAccess;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves core state behind on the test thread, the part of "no context left" only
 * internal state shows: a frame that is not empty (any storage's value), an unfinished
 * continuation, or an enabled hook. Cleans up after itself so one leaky test does not fail the
 * next. Used with {@link io.tether.testing.NoContextLeft}, which checks the execution ids and
 * resource: {@code @ExtendWith({NoContextLeft.class, CleanCoreState.class})}.
 */
public final class CleanCoreState implements AfterEachCallback {

  @Override
  public void afterEach(ExtensionContext context) {
    ExecutionState s = ExecutionState.current();
    Frame frame = s.frame;
    int depth = s.depth();
    Set<AsyncHook> hooks = TestAccess.enabledHooks();
    s.setFrame(Frame.EMPTY);
    // Disable what the test left enabled through the registry, so that no hook stays
    // half-enabled (off in the dispatch set, on in its own flag) for the next test.
    hooks.forEach(AsyncHook::disable);
    assertThat(frame).as("context left on the test thread").isSameAs(Frame.EMPTY);
    assertThat(depth).as("continuations left open on the test thread").isZero();
    assertThat(hooks).as("hooks left enabled").isEmpty();
  }
}
