package io.tether.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.tether.AsyncLocalStorage;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventType;

/** The guard run on {@link Samples} through the JUnit engine: it fails the leaky test only. */
@Timeout(30)
class NoContextLeftTest {

  static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

  /** Not run by surefire (a nested class): run by the test below, through the engine. */
  @ExtendWith(AgentAttached.class)
  static class WithoutTheAgent {
    @Test
    void anything() {}
  }

  /**
   * Not run by surefire (a nested class): run by the test below, through the engine. The leaky test
   * runs last: the guard reports what is left, it does not clean it up.
   */
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class Samples {
    @RegisterExtension
    static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST).andNoThreadsLeft();

    @Test
    @Order(1)
    void clean() {
      REQUEST.run("r1", () -> assertThat(REQUEST.getStore()).isEqualTo("r1"));
    }

    @Test
    @Order(3)
    void leavesAValue() {
      REQUEST.enterWith("leaked");
    }

    @Test
    @Order(2)
    void threadThatEnds() throws InterruptedException {
      Thread thread = new Thread(() -> {});
      thread.start();
      thread.join(Waits.TIMEOUT.toMillis());
    }
  }

  private static Map<String, String> outcomes(Class<?> samples) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(samples))
        .execute()
        .allEvents()
        .filter(e -> e.getType() == EventType.FINISHED)
        .filter(e -> e.getTestDescriptor().isTest())
        .collect(
            Collectors.toMap(
                e -> e.getTestDescriptor().getDisplayName(),
                e -> {
                  TestExecutionResult result = e.getRequiredPayload(TestExecutionResult.class);
                  return result.getStatus() == TestExecutionResult.Status.SUCCESSFUL
                      ? "passed"
                      : result.getThrowable().map(Throwable::getMessage).orElse("?");
                }));
  }

  @Test
  void failsTheTestThatLeavesAValue_only() {
    Map<String, String> outcomes;
    try {
      outcomes = outcomes(Samples.class);
    } finally {
      REQUEST.disable(); // what the leaky sample left on this thread
    }

    assertThat(outcomes.get("clean()")).isEqualTo("passed");
    assertThat(outcomes.get("threadThatEnds()")).isEqualTo("passed");
    assertThat(outcomes.get("leavesAValue()"))
        .contains("AsyncLocalStorage(request).getStore() after the test")
        .contains("leaked");
  }

  @Test
  void agentAttached_withoutTheAgent_failsTheClassBeforeAnyTest() {
    assertThat(AgentAttached.isAttached()).isFalse();

    EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(WithoutTheAgent.class))
        .execute()
        .allEvents()
        .assertThatEvents()
        .noneMatch(e -> e.getType() == EventType.STARTED && e.getTestDescriptor().isTest())
        .anyMatch(
            e ->
                e.getType() == EventType.FINISHED
                    && e.getPayload(TestExecutionResult.class)
                        .flatMap(TestExecutionResult::getThrowable)
                        .map(Throwable::getMessage)
                        .filter(m -> m.startsWith("Tether's agent is not installed in this JVM"))
                        .isPresent());
  }
}
