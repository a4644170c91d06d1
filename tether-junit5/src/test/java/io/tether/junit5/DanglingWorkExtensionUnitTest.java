package io.tether.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/** The extension run on {@link LeakySamples} through the JUnit engine, without the agent. */
@Timeout(60)
class DanglingWorkExtensionUnitTest {

  /** Each sample test's outcome: "passed", or the failure's message. */
  static Map<String, String> outcomes(Class<?> samples) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(samples))
        .execute()
        .allEvents()
        .filter(e -> e.getType() == EventType.FINISHED)
        .filter(e -> e.getTestDescriptor().isTest())
        .collect(
            Collectors.toMap(
                e -> e.getTestDescriptor().getDisplayName(),
                DanglingWorkExtensionUnitTest::outcome));
  }

  private static String outcome(Event e) {
    TestExecutionResult result = e.getRequiredPayload(TestExecutionResult.class);
    return result.getStatus() == TestExecutionResult.Status.SUCCESSFUL
        ? "passed"
        : result.getThrowable().map(Throwable::getMessage).orElse(result.getStatus().name());
  }

  @Test
  void failsEachLeakyTest_withItsLeftovers_andBlamesNoOther() throws Exception {
    Map<String, String> outcomes;
    try {
      outcomes = outcomes(LeakySamples.class);
    } finally {
      LeakySamples.release();
    }
    String sample = LeakySamples.class.getName();

    assertThat(outcomes.get("leavesATaskRunningAndOneQueued()"))
        .startsWith(
            "3 async resources started by this test were still pending 200 ms after it" + " ended:")
        .contains(
            "EXECUTOR_TASK#",
            "(running) created at " + sample + ".leavesATaskRunningAndOneQueued(LeakySamples.java:")
        .contains(
            "(queued, never run) created at "
                + sample
                + ".leavesATaskRunningAndOneQueued(LeakySamples.java:");
    assertThat(outcomes.get("innocentOnTheSamePool_isNotBlamed()")).isEqualTo("passed");
    assertThat(LeakySamples.INNOCENT_RAN).hasValue(1);
    assertThat(outcomes.get("leavesAnAsyncResourceNotDestroyed()"))
        .startsWith("1 async resource started by this test was still pending")
        .contains(
            "DB_QUERY#",
            "(never destroyed) created at "
                + sample
                + ".leavesAnAsyncResourceNotDestroyed(LeakySamples.java:");
    assertThat(outcomes.get("leavesAPeriodicTaskScheduled()"))
        .contains(
            "SCHEDULED_TASK#",
            "(still scheduled) created at "
                + sample
                + ".leavesAPeriodicTaskScheduled(LeakySamples.java:");
    assertThat(outcomes.get("waitsForItsWorkWithAwaitIdle()")).isEqualTo("passed");
    assertThat(outcomes.get("cleanTest_passes()")).isEqualTo("passed");
  }

  @Test
  void awaitIdle_outsideAnyScope_saysWhatIsMissing() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> AsyncWork.awaitIdle(java.time.Duration.ofMillis(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a current AsyncWork scope");
  }
}
