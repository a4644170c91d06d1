package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JVM does not verify the JDK's own classes by default, so a woven JDK method with a wrong
 * stack map would only misbehave at run time: here a JVM of its own verifies every class it loads,
 * woven JDK classes included, while the work crosses every family of boundaries (with async stack
 * traces on, so that their weaving is verified too), and an application's executor and thread are
 * woven as well: the handlers of the nets around the woven calls, and their frames, are verified
 * with the rest.
 */
@Timeout(120)
class VerifiedWeavingTest {

  private static final String AGENT =
      System.getProperty("tether.agent.jar", "target/tether-agent.jar");

  @Test
  void wovenJdkClasses_passTheVerifier_andCarryTheContext() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String testClasses =
        Path.of(AllBoundariesMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-XX:+UnlockDiagnosticVMOptions",
                    "-XX:+BytecodeVerificationLocal",
                    "-javaagent:" + AGENT + "=asyncStackTraces=true",
                    "-cp",
                    testClasses,
                    AllBoundariesMain.class.getName()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out)
        .doesNotContain("VerifyError", "could not instrument")
        .contains(
            "pool v",
            "scheduled v",
            "future vv",
            "forkjoin v",
            "stream 1000",
            "timer v",
            "thread v",
            "app thread v",
            "executor v",
            "http okv",
            "nio v");
    assertThat(p.exitValue()).as(out).isZero();
  }

  /**
   * JDK classes loaded before the agent is installed are retransformed, and reach the weaver
   * without stack map frames (HotSpot keeps none of a class it does not verify), nor are they
   * verified after. What the weaver adds there must still be consistent bytecode: the compiler (C1,
   * on every method of the woven classes as it is first called) reads it as the interpreter runs
   * it, and bytecode that does not add up may crash the JVM.
   */
  @Test
  void retransformedJdkClasses_withoutFrames_compileAndCarryTheContext() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String testClasses =
        Path.of(LateInstallMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    List<String> command =
        new ArrayList<>(
            List.of(java, "-Xcomp", "-XX:TieredStopAtLevel=1", "-XX:CompileCommand=quiet"));
    for (String woven :
        List.of(
            "java.util.concurrent.*",
            "java.lang.Thread",
            "java.util.Timer*",
            "jdk.internal.net.http.HttpClientImpl",
            "sun.nio.ch.*")) {
      command.add("-XX:CompileCommand=compileonly," + woven + "::*");
    }
    command.addAll(
        List.of("-cp", AGENT + File.pathSeparator + testClasses, LateInstallMain.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(out)
        .doesNotContain("could not instrument", "fatal error")
        .contains(
            "pool v",
            "scheduled v",
            "future vv",
            "forkjoin v",
            "stream 1000",
            "timer v",
            "thread v",
            "app thread v",
            "executor v",
            "http okv",
            "nio v");
    assertThat(p.exitValue()).as(out).isZero();
  }
}
