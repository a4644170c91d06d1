package io.tether.cli;

import static io.tether.cli.Cli.tether;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command's help, version and usage errors, as a user meets them: {@code java -jar
 * tether-cli.jar ...} in a JVM of its own.
 */
@Timeout(180)
class HelpAndUsageTest {

  private static final List<String> COMMANDS =
      List.of("run", "report", "export", "dump", "version", "help");

  @TempDir Path dir;

  @Test
  void help_listsEveryCommandAndTheExitCodes() throws Exception {
    for (String help : List.of("help", "--help", "-h")) {
      Cli.Result result = tether(dir, help);
      assertThat(result.exit()).as(help).isZero();
      assertThat(result.err()).as(help).isEmpty();
      assertThat(result.out())
          .as(help)
          .contains("usage: tether COMMAND [OPTIONS]", "exit codes:", "  1  failed", "  2  usage");
      for (String command : COMMANDS) {
        assertThat(result.out()).as(help).containsPattern("(?m)^  " + command + " +\\S");
      }
    }
  }

  @Test
  void commandHelp_forEveryCommand_bothWays() throws Exception {
    for (String command : COMMANDS) {
      Cli.Result asked = tether(dir, command, "--help");
      assertThat(asked.exit()).as(command).isZero();
      assertThat(asked.err()).as(command).isEmpty();
      assertThat(asked.out()).as(command).startsWith("usage: tether " + command).contains("--help");
      assertThat(tether(dir, "help", command)).as(command).isEqualTo(asked);
      assertThat(tether(dir, command, "-h").out()).as(command).isEqualTo(asked.out());
    }
  }

  @Test
  void runHelp_namesItsOptions_andTheProgramsHelpIsTheProgramsOwn() throws Exception {
    Cli.Result help = tether(dir, "run", "--help");
    assertThat(help.out())
        .contains("--trace FILE", "--agent-options K=V,...", "--agent JAR", "TETHER_AGENT")
        .contains("Exit code: the program's");
    // After --, --help belongs to the program: tether does not answer it.
    Cli.Result program = tether(dir, "run", "--", "nojava", "--help");
    assertThat(program.exit()).isEqualTo(2);
    assertThat(program.errLines().get(0)).contains("must start with java");
  }

  @Test
  void version_isTheProjectVersion() throws Exception {
    String expected = "tether " + System.getProperty("tether.version") + "\n";
    assertThat(System.getProperty("tether.version")).isNotBlank();
    for (String version : List.of("version", "--version")) {
      Cli.Result result = tether(dir, version);
      assertThat(result.exit()).as(version).isZero();
      assertThat(result.out()).as(version).isEqualTo(expected);
      assertThat(result.err()).as(version).isEmpty();
    }
  }

  @Test
  void noCommand_printsTheHelpOnStandardError_exit2() throws Exception {
    Cli.Result result = tether(dir);
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).contains("usage: tether COMMAND");
  }

  @Test
  void usageErrors_exit2_withOneLineNamingTheProblem_thenTheUsage() throws Exception {
    assertUsageError(
        "tether: unknown command 'frobnicate'; commands: run, report, export, dump, version, help",
        "frobnicate");
    assertUsageError("tether: unknown option '--bogus' for report", "report", "x.trace", "--bogus");
    assertUsageError("tether: report needs a trace file", "report");
    assertUsageError(
        "tether: report takes one trace file, got [a.trace, b.trace]",
        "report",
        "a.trace",
        "b.trace");
    assertUsageError("tether: -o needs a value (FILE)", "report", "x.trace", "-o");
    assertUsageError(
        "tether: --output is given 2 times", "report", "x.trace", "-o", "a", "-o", "b");
    assertUsageError("tether: export needs --format chrome or --format tree", "export", "x.trace");
    assertUsageError(
        "tether: --format takes chrome or tree, not 'xml'", "export", "x.trace", "--format=xml");
    assertUsageError(
        "tether: run needs the Java command after --, as in tether run -- java -jar app.jar",
        "run");
    assertUsageError(
        "tether: 'java' before --: the program goes after --, as in tether run -- java -jar app.jar",
        "run",
        "java",
        "-jar",
        "app.jar");
    assertUsageError(
        "tether: --agent-options: give the trace file with --trace FILE, not trace=",
        "run",
        "--agent-options",
        "debug=true,trace=x.trace",
        "--",
        "java",
        "-version");
    assertUsageError("tether: version takes no arguments", "version", "now");
    assertUsageError("tether: report takes nothing after --", "report", "x.trace", "--", "y");
    assertUsageError(
        "tether: no command 'nope'; commands: run, report, export, dump, version, help",
        "help",
        "nope");
  }

  private void assertUsageError(String line, String... args) throws Exception {
    Cli.Result result = tether(dir, args);
    assertThat(result.exit()).as("%s", List.of(args)).isEqualTo(2);
    assertThat(result.out()).as("%s", List.of(args)).isEmpty();
    assertThat(result.errLines()).as("%s", List.of(args)).first().isEqualTo(line);
    if (args.length > 0 && !args[0].equals("frobnicate")) {
      assertThat(result.errLines().get(1)).startsWith("usage: tether " + args[0]);
    }
  }
}
