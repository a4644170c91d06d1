package io.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/tether}, the script that runs the jar: in this clone (the jar under
 * tether-cli/target), beside the jar (a release's layout), through a link, and without a jar to
 * run.
 */
@Timeout(120)
@DisabledOnOs(OS.WINDOWS) // a bash script
class TetherScriptTest {

  private static final Path SCRIPT =
      Path.of(System.getProperty("tether.script", "../bin/tether")).toAbsolutePath().normalize();

  @TempDir Path dir;

  private Cli.Result script(Path script, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    return Cli.exec(dir, Map.of("JAVA", Cli.JAVA), command);
  }

  private static String version() {
    return "tether " + System.getProperty("tether.version") + "\n";
  }

  @Test
  void inTheClone_runsTheBuiltJar() throws Exception {
    Cli.Result result = script(SCRIPT, "version");
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo(version());
  }

  @Test
  void besideTheJar_runsThatJar_alsoThroughALink() throws Exception {
    Path release = Files.createDirectory(dir.resolve("tether-release"));
    Path script = Files.copy(SCRIPT, release.resolve("tether"));
    Files.copy(Cli.JAR, release.resolve("tether-cli.jar"), StandardCopyOption.COPY_ATTRIBUTES);
    Cli.Result result = script(script, "version");
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo(version());

    Path bin = Files.createDirectory(dir.resolve("bin"));
    Path link = Files.createSymbolicLink(bin.resolve("tether"), script);
    Cli.Result linked = script(link, "report", "--help");
    assertThat(linked.exit()).as(linked.err()).isZero();
    assertThat(linked.out()).startsWith("usage: tether report");
  }

  @Test
  void withoutAJar_saysWhereItLooked_exit1() throws Exception {
    Path alone = Files.createDirectory(dir.resolve("alone"));
    Path script = Files.copy(SCRIPT, alone.resolve("tether"));
    Cli.Result result = script(script, "version");
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.errLines())
        .singleElement()
        .asString()
        .startsWith("tether: tether-cli.jar is neither beside " + alone + "/tether");
  }
}
