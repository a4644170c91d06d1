package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AgentOptionsUnitTest {

  @Test
  void parse_noOptions_everyFamilyOn() {
    AgentOptions options = AgentOptions.parse(null);
    for (AgentOptions.Family f : AgentOptions.Family.values()) {
      assertThat(options.enabled(f)).as(f.key).isTrue();
    }
    assertThat(options.debug()).isFalse();
  }

  @Test
  void parse_familiesOffAndDebugOn() {
    AgentOptions options = AgentOptions.parse("executors=false, timers=false,debug=true");
    assertThat(options.enabled(AgentOptions.Family.EXECUTORS)).isFalse();
    assertThat(options.enabled(AgentOptions.Family.TIMERS)).isFalse();
    assertThat(options.enabled(AgentOptions.Family.FUTURES)).isTrue();
    assertThat(options.debug()).isTrue();
  }

  @Test
  void parse_unknownKey_namesItAndTheAcceptedOnes() {
    assertThatThrownBy(() -> AgentOptions.parse("executors=false,bogus=true"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option 'bogus'")
        .hasMessageContaining(
            "executors, forkjoin, futures, threads, timers, http, nio, coroutines, libraries, debug");
  }

  @Test
  void parse_badValue_namesTheOptionAndTheAcceptedValues() {
    assertThatThrownBy(() -> AgentOptions.parse("futures=maybe"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("option 'futures' takes true or false, was 'maybe'");
    assertThatThrownBy(() -> AgentOptions.parse("threads"))
        .hasMessage("option 'threads' takes true or false, was ''");
  }

  @Test
  void parse_leaks_offByDefault_keptAsGivenForCore_emptyIsAnError() {
    assertThat(AgentOptions.parse("").leaks()).isNull();
    assertThat(AgentOptions.parse("leaks=30s").leaks()).isEqualTo("30s");
    assertThatThrownBy(() -> AgentOptions.parse("leaks="))
        .hasMessage(
            "option 'leaks' takes a positive duration such as 30s, 500ms, 5m or 1h, was empty");
  }

  @Test
  void parse_jfr_offByDefault_onWithJfrOrJfrContext() {
    assertThat(AgentOptions.parse("").jfr()).isFalse();
    assertThat(AgentOptions.parse("jfr=true").jfr()).isTrue();
    assertThat(AgentOptions.parse("jfr=true").jfrContext()).isEmpty();
    AgentOptions context = AgentOptions.parse("jfrContext=requestId; tenant");
    assertThat(context.jfr()).isTrue();
    assertThat(context.jfrContext()).containsExactly("requestId", "tenant");
    assertThat(AgentOptions.parse("jfr=true,jfrContext=requestId").jfr()).isTrue();
  }

  @Test
  void parse_badJfrOptions_nameTheOptionAndWhatItTakes() {
    assertThatThrownBy(() -> AgentOptions.parse("jfr=yes"))
        .hasMessage("option 'jfr' takes true or false, was 'yes'");
    for (String bad : new String[] {"jfrContext=", "jfrContext=a;;b", "jfrContext=request-id"}) {
      assertThatThrownBy(() -> AgentOptions.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("option 'jfrContext' takes the names of AsyncLocalStorages");
    }
    assertThatThrownBy(() -> AgentOptions.parse("jfrContext=a;a"))
        .hasMessageContaining("given once");
    assertThatThrownBy(() -> AgentOptions.parse("jfr=false,jfrContext=requestId"))
        .hasMessageContaining("option 'jfrContext'")
        .hasMessageContaining("jfr=false");
  }
}
