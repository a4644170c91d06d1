package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link TetherAgent#install()}: the agent installed into a running JVM, in a JVM of its own. */
@Timeout(120)
class AgentInstallTest {

  private static final String AGENT =
      System.getProperty("tether.agent.jar", "target/tether-agent.jar");

  private static String[] run(String... args) throws Exception {
    return runMain(AGENT, InstallMain.class, args);
  }

  private static String[] runMain(String classPath, Class<?> main, String... args)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String testClasses =
        Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    List<String> command =
        new ArrayList<>(
            List.of(java, "-cp", classPath + File.pathSeparator + testClasses, main.getName()));
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
  void install_afterTetherWasLoaded_refusesInOneLineSayingWhatToDo(@TempDir Path dir)
      throws Exception {
    Path core = dir.resolve("tether-core.jar");
    try (JarFile agent = new JarFile(AGENT);
        InputStream in = agent.getInputStream(agent.getJarEntry(TetherAgent.NESTED_CORE))) {
      Files.copy(in, core);
    }

    String[] r = runMain(AGENT + File.pathSeparator + core, TouchedBeforeInstallMain.class);

    assertThat(r[0]).isNotEqualTo("0");
    assertThat(r[1]).doesNotContain("after install");
    String line =
        r[1].lines().filter(l -> l.contains("IllegalStateException")).findFirst().orElse("");
    assertThat(line)
        .contains(
            "Tether agent not installed: io.tether.",
            "call TetherAgent.install() before any Tether class is loaded",
            "-javaagent:tether-agent.jar");
  }

  @Test
  void install_badOption_failsInTheCallerNamingIt() throws Exception {
    String[] r = run("bogus=true");
    assertThat(r[0]).isNotEqualTo("0");
    assertThat(r[1]).contains("IllegalArgumentException", "unknown option 'bogus'");
  }
}
