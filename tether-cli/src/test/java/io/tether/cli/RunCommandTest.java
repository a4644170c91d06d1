package io.tether.cli;

import static io.tether.cli.Cli.runTiny;
import static io.tether.cli.Cli.tether;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether run}: a tiny program (one task on a pool) under the agent the jar carries, with and
 * without agent options, its trace confirmed, its exit code passed on.
 */
@Timeout(300)
class RunCommandTest {

  @TempDir Path dir;

  private String tree(Path trace) throws Exception {
    Cli.Result export = tether(dir, "export", trace.toString(), "--format", "tree");
    assertThat(export.exit()).as(export.err()).isZero();
    return export.out();
  }

  @Test
  void run_withTheCarriedAgent_recordsATrace_andConfirmsIt() throws Exception {
    Path trace = dir.resolve("app.trace");
    Path temporary = Files.createDirectory(dir.resolve("tmp"));
    Cli.Result run =
        runTiny(dir, List.of("-Djava.io.tmpdir=" + temporary), List.of("--trace", "app.trace"));
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("task ran", "tiny program done");
    assertThat(run.errLines())
        .last()
        .asString()
        .matches("tether: wrote app\\.trace \\(\\d+ (bytes|KB)\\)");
    assertThat(trace).isRegularFile();
    assertThat(tree(trace)).contains("EXECUTOR_TASK#");
    // The copy of the agent (in the command's temporary folder) is gone once the program ended.
    try (var left = Files.list(temporary)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void run_agentOptions_reachTheAgent() throws Exception {
    Path trace = dir.resolve("no-executors.trace");
    Cli.Result run =
        runTiny(
            dir,
            List.of(
                "--agent-options",
                "executors=false",
                "--agent-options=timers=false",
                "--trace",
                trace.toString()));
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("task ran");
    String tree = tree(trace);
    assertThat(tree).doesNotContain("EXECUTOR_TASK").contains("THREAD#");
  }

  @Test
  void run_anOptionTheAgentRejects_stopsTheProgramWithTheAgentsLine() throws Exception {
    Cli.Result run = runTiny(dir, List.of("--agent-options", "nosuch=true"));
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).doesNotContain("task ran");
    assertThat(run.err()).contains("tether-agent: unknown option 'nosuch'");
  }

  @Test
  void run_exitsWithTheProgramsExitCode() throws Exception {
    Cli.Result run = runTiny(dir, List.of(), "exit", "3");
    assertThat(run.out()).contains("tiny program done");
    assertThat(run.exit()).isEqualTo(3);
  }

  @Test
  void run_traceIntoAMissingFolder_isNamed_andNothingRuns() throws Exception {
    Cli.Result run = runTiny(dir, List.of("--trace", "out/app.trace"));
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines())
        .containsExactly("tether: no such folder: out/ (for --trace out/app.trace)");
  }

  @Test
  void run_agentJarMissing_isNamedWithWhereItCameFrom() throws Exception {
    Cli.Result option = runTiny(dir, List.of("--agent", "nowhere/agent.jar"));
    assertThat(option.exit()).isEqualTo(1);
    assertThat(option.errLines())
        .containsExactly("tether: no such file: nowhere/agent.jar (the agent jar, from --agent)");

    Cli.Result environment =
        tether(
            dir,
            Map.of("TETHER_AGENT", "gone.jar"),
            "run",
            "--",
            Cli.JAVA,
            "-cp",
            Cli.testClasses(),
            TinyProgram.class.getName());
    assertThat(environment.exit()).isEqualTo(1);
    assertThat(environment.errLines())
        .containsExactly("tether: no such file: gone.jar (the agent jar, from TETHER_AGENT)");
  }

  @Test
  void run_javaThatCannotStart_isOneLine() throws Exception {
    Cli.Result run = tether(dir, "run", "--", dir.resolve("java-nowhere").toString(), "-version");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.errLines().get(0))
        .startsWith("tether: cannot start '" + dir.resolve("java-nowhere") + "': ");
  }
}
