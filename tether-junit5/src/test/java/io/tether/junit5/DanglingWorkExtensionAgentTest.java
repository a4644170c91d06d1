package io.tether.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension on {@link AgentLeakySamples}, with the agent: plain JDK async work. */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class DanglingWorkExtensionAgentTest {

  @Test
  void catchesEachKindOfJdkLeftover_andBlamesNoOtherTest() throws Exception {
    Map<String, String> outcomes;
    try {
      outcomes = DanglingWorkExtensionUnitTest.outcomes(AgentLeakySamples.class);
    } finally {
      AgentLeakySamples.release();
    }
    String at = "created at " + AgentLeakySamples.class.getName() + ".";

    assertThat(outcomes.get("leavesAPoolTaskRunning()"))
        .contains("EXECUTOR_TASK#", "(running) " + at + "leavesAPoolTaskRunning(");
    assertThat(outcomes.get("innocentOnItsOwnPool_isNotBlamed()")).isEqualTo("passed");
    assertThat(AgentLeakySamples.INNOCENT_RAN).hasValue(1);
    assertThat(outcomes.get("leavesAFutureNeverCompleted()"))
        .contains(
            "COMPLETABLE_FUTURE#", "(never completed) " + at + "leavesAFutureNeverCompleted(");
    assertThat(outcomes.get("leavesAThreadAlive()"))
        .contains("THREAD#", "(still alive) " + at + "leavesAThreadAlive(");
    assertThat(outcomes.get("leavesATimerTaskScheduled()"))
        .contains("TIMER_TASK#", "(still scheduled) " + at + "leavesATimerTaskScheduled(");
    if (Runtime.version().feature() >= 21) {
      assertThat(outcomes.get("leavesAVirtualThreadAlive()"))
          .contains("VIRTUAL_THREAD#", "(still alive) " + at + "leavesAVirtualThreadAlive(");
    }
  }
}
