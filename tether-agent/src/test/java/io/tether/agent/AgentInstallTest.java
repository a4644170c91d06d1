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

/** {@link TetherAgent#install()}: the agent installed into a running JVM, in a JVM of its own. */
@Timeout(120)
class AgentInstallTest {

  private static final String AGENT =
      System.getProperty("tether.agent.jar", "target/tether-agent.jar");

  private static String[] run(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String testClasses =
        Path.of(InstallMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                AGENT + File.pathSeparator + testClasses,
                InstallMain.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    return new String[] {String.valueOf(p.exitValue()), out};
  }

  @Test
  void install_intoRunningJvm_unwrappedPoolCarriesContext() throws Exception {
    String[] r = run();
    assertThat(r[1]).contains("task saw: installed at run time", "installed: true");
    assertThat(r[0]).isEqualTo("0");
  }

  @Test
  void install_badOption_failsInTheCallerNamingIt() throws Exception {
    String[] r = run("bogus=true");
    assertThat(r[0]).isNotEqualTo("0");
    assertThat(r[1]).contains("IllegalArgumentException", "unknown option 'bogus'");
  }
}
