package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's options ({@code -javaagent:tether-agent.jar=OPTIONS}) on any string: parsed, or an
 * {@link IllegalArgumentException} of one line that names the option at fault; never another
 * exception. Under {@code mvn verify} these run the inputs kept in {@code
 * AgentOptionsFuzzTestInputs} (the seeds and every crash found); {@code scripts/fuzz.sh} fuzzes
 * them.
 */
class AgentOptionsFuzzTest {

  @FuzzTest
  @Timeout(10)
  void parse_anyString(byte[] bytes) {
    String args = new String(bytes, StandardCharsets.UTF_8);
    AgentOptions options;
    try {
      options = AgentOptions.parse(args);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).contains("option '").doesNotContain("\n", "\r");
      return;
    }
    // what was accepted is there as given
    if (options.trace() != null) {
      assertThat(options.trace()).isNotEmpty().isEqualTo(options.trace().strip());
      assertThat(args).contains(options.trace());
    }
    for (String name : options.jfrContext()) {
      assertThat(args).contains(name);
    }
    assertThat(options.jfr()).isEqualTo(options.jfr() || !options.jfrContext().isEmpty());
  }
}
