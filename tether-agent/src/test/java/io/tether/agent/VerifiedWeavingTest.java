package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JVM does not verify the JDK's own classes by default, so a woven JDK method with a wrong
 * stack map would only misbehave at run time: here a JVM of its own verifies every class it
 * loads, woven JDK classes included, while the work crosses every family of boundaries (with
 * async stack traces on, so that their weaving is verified too).
 */
@Timeout(120)
class VerifiedWeavingTest {

  private static final String AGENT = System.getProperty("tether.agent.jar",
      "target/tether-agent.jar");

  @Test
  void wovenJdkClasses_passTheVerifier_andCarryTheContext() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String testClasses = Path.of(AllBoundariesMain.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI()).toString();
    Process p = new ProcessBuilder(List.of(java, "-XX:+UnlockDiagnosticVMOptions",
        "-XX:+BytecodeVerificationLocal", "-javaagent:" + AGENT + "=asyncStackTraces=true",
        "-cp", testClasses, AllBoundariesMain.class.getName())).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).doesNotContain("VerifyError", "could not instrument")
        .contains("pool v", "scheduled v", "future vv", "forkjoin v", "stream 1000", "timer v",
            "thread v", "http okv", "nio v");
    assertThat(p.exitValue()).as(out).isZero();
  }
}
