package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncHooks;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves the test thread in another continuation than it found it, or leaves a
 * value in {@link AgentTests#REQUEST}, the storage every boundary test uses.
 */
final class NoContextLeft implements BeforeEachCallback, AfterEachCallback {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(NoContextLeft.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    assertThat(TetherAgent.isInstalled()).as("the agent is attached").isTrue();
    context.getStore(NS).put("ids",
        new long[] {AsyncHooks.executionAsyncId(), AsyncHooks.triggerAsyncId()});
  }

  @Override
  public void afterEach(ExtensionContext context) {
    long[] ids = context.getStore(NS).get("ids", long[].class);
    assertThat(new long[] {AsyncHooks.executionAsyncId(), AsyncHooks.triggerAsyncId()})
        .as("execution ids after the test").containsExactly(ids);
    assertThat(AgentTests.REQUEST.getStore()).as("request context left behind").isNull();
  }
}
