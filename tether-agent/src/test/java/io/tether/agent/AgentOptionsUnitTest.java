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
  void parse_controlCharactersInTheError_areShownEscaped_onOneLine() {
    // found by AgentOptionsFuzzTest: a carriage return in a key made a two-line error
    assertThatThrownBy(() -> AgentOptions.parse("ne\rw=true"))
        .hasMessageStartingWith("unknown option 'ne\\u000dw'; accepted options: ");
    assertThatThrownBy(() -> AgentOptions.parse("debug=tr\u2028ue"))
        .hasMessage("option 'debug' takes true or false, was 'tr\\u2028ue'");
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

  @Test
  void parse_flight_offByDefault_withItsDurationsFolderAndSwitches() {
    assertThat(AgentOptions.parse("").flight()).isNull();
    AgentOptions all =
        AgentOptions.parse(
            "flight=5m,flightDir=dumps,flightSlow=requestId:250ms,flightStacks=true,"
                + "flightUncaught=false");
    assertThat(all.flight()).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(all.flightDir()).isEqualTo("dumps");
    assertThat(all.flightSlowRoot()).isEqualTo("requestId");
    assertThat(all.flightSlow()).isEqualTo(java.time.Duration.ofMillis(250));
    assertThat(all.flightStacks()).isTrue();
    assertThat(all.flightUncaught()).isFalse();
    AgentOptions plain = AgentOptions.parse("flight=1h");
    assertThat(plain.flight()).isEqualTo(java.time.Duration.ofHours(1));
    assertThat(plain.flightUncaught()).isTrue();
    assertThat(plain.flightStacks()).isFalse();
    assertThat(AgentOptions.parse("flight=30s").flight())
        .isEqualTo(java.time.Duration.ofSeconds(30));
  }

  @Test
  void parse_badFlightOptions_nameTheOptionAndWhatItTakes() {
    assertThatThrownBy(() -> AgentOptions.parse("flight=5"))
        .hasMessage(
            "option 'flight' takes a positive duration such as 500ms, 30s, 5m or 1h, was '5'");
    assertThatThrownBy(() -> AgentOptions.parse("flight=0s"))
        .hasMessage(
            "option 'flight' takes a positive duration such as 500ms, 30s, 5m or 1h, was '0s'");
    assertThatThrownBy(() -> AgentOptions.parse("flight=1m,flightSlow=2s"))
        .hasMessage(
            "option 'flightSlow' takes NAME:DURATION (the name of the storage whose values"
                + " identify requests, and how long is slow: requestId:2s), was '2s'");
    assertThatThrownBy(() -> AgentOptions.parse("flight=1m,flightSlow=requestId:soon"))
        .hasMessage(
            "option 'flightSlow' takes a positive duration such as 500ms, 30s, 5m or 1h, was"
                + " 'soon'");
    assertThatThrownBy(() -> AgentOptions.parse("flightSlow=requestId:2s"))
        .hasMessageStartingWith(
            "the flightDir, flightSlow, flightStacks and flightUncaught options need flight=");
    assertThatThrownBy(() -> AgentOptions.parse("flightStacks=true"))
        .hasMessageStartingWith(
            "the flightDir, flightSlow, flightStacks and flightUncaught options need flight=");
    assertThatThrownBy(() -> AgentOptions.parse("flight=1m,jfr=false"))
        .hasMessage("option 'flight' records Tether's JFR events, which jfr=false turns off");
    assertThatThrownBy(() -> AgentOptions.parse("flight=1m,flightDir="))
        .hasMessage(
            "option 'flightDir' takes the folder flight recordings are written to, was empty");
  }
}
