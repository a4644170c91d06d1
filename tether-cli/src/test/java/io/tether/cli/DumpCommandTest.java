package io.tether.cli;

import static io.tether.cli.Cli.tether;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flight recording of a running program ({@code tether run --agent-options flight=...}): dumped
 * when its request took longer than {@code flightSlow}, by {@code tether dump PID} with and without
 * {@code -o}, and when it dies of an uncaught exception; each dump a {@code .jfr} file with
 * Tether's events and the request id on the request's runs. And {@code dump}'s one-line errors.
 */
@Timeout(180)
class DumpCommandTest {

  @TempDir Path dir;

  private Process program;
  private BufferedReader programOut;
  private Writer programIn;

  @AfterEach
  void endProgram() throws Exception {
    if (program != null && program.isAlive()) {
      program.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Starts FlightProgram under {@code tether run} with these agent options; returns its pid. */
  private long taskId;

  private long start(String agentOptions) throws IOException {
    List<String> command =
        new ArrayList<>(List.of(Cli.JAVA, "-jar", Cli.JAR.toAbsolutePath().toString(), "run"));
    if (agentOptions != null) {
      command.addAll(List.of("--agent-options", agentOptions));
    }
    command.addAll(
        List.of(
            "--",
            Cli.JAVA,
            "-Xshare:off",
            "-cp",
            Cli.testClasses(),
            FlightProgram.class.getName()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectError(dir.resolve("err.txt").toFile());
    builder.environment().remove("TETHER_AGENT");
    program = builder.start();
    programOut =
        new BufferedReader(new InputStreamReader(program.getInputStream(), StandardCharsets.UTF_8));
    programIn = new OutputStreamWriter(program.getOutputStream(), StandardCharsets.UTF_8);
    String first = programOut.readLine();
    assertThat(first).as("the program's first line").startsWith("pid ");
    String done = programOut.readLine();
    assertThat(done).startsWith("request done ");
    taskId = Long.parseLong(done.substring("request done ".length()));
    return Long.parseLong(first.substring(4));
  }

  private String programErr() throws IOException {
    return Files.readString(dir.resolve("err.txt"));
  }

  /** The dumps in the folder whose names end with {@code -REASON.jfr}. */
  private List<Path> dumps(String reason) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith("-" + reason + ".jfr")).toList();
    }
  }

  /** Waits, at most 30 s, for the flight recorder's thread to write a dump of this reason. */
  private Path awaitDump(String reason) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (dumps(reason).isEmpty() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    assertThat(dumps(reason))
        .as("a -%s.jfr dump; the program's stderr: %s", reason, programErr())
        .hasSize(1);
    return dumps(reason).get(0);
  }

  private static List<RecordedEvent> tetherEvents(Path file) throws IOException {
    return RecordingFile.readAllEvents(file).stream()
        .filter(e -> e.getEventType().getName().startsWith("io.tether."))
        .toList();
  }

  private boolean slowRequestRun(RecordedEvent e) {
    return e.getEventType().getName().equals("io.tether.Run")
        && e.getLong("asyncId") == taskId
        && "slow-1".equals(e.getString("requestId"));
  }

  private boolean slowRequestInit(RecordedEvent e) {
    return e.getEventType().getName().equals("io.tether.Init") && e.getLong("asyncId") == taskId;
  }

  @Test
  void flight_dumpsTheSlowRequest_onDemand_andOnAnUncaughtException() throws Exception {
    long pid = start("flight=1m,flightDir=" + dir + ",flightSlow=requestId:100ms");

    // Dumped when the request had run 100 ms (or, on a machine too busy to look in time, when it
    // ended after more): its task's init is in it.
    Path slow = awaitDump("slow");
    assertThat(tetherEvents(slow)).anyMatch(this::slowRequestInit);
    assertThat(programErr())
        .contains("tether: flight recording written to " + slow)
        .containsPattern("requestId=slow-1 (took|still running after) \\d+ ms");

    Path asked = dir.resolve("asked.jfr");
    Cli.Result dump = tether(dir, "dump", Long.toString(pid), "-o", asked.toString());
    assertThat(dump.exit()).as(dump.err()).isZero();
    assertThat(dump.err().strip()).matches("tether: wrote .*asked\\.jfr \\(\\d+ (KB|MB)\\)");
    assertThat(tetherEvents(asked)).anyMatch(this::slowRequestRun);
    Cli.Result report = tether(dir, "report", asked.toString(), "-o", "flight.html");
    assertThat(report.exit()).as(report.err()).isZero();
    assertThat(Files.readString(dir.resolve("flight.html"))).contains("EXECUTOR_TASK");
    // The per-request view: the request's waterfall, by the id on its runs.
    Cli.Result requests =
        tether(dir, "report", asked.toString(), "--by", "requestId", "-o", "requests.html");
    assertThat(requests.exit()).as(requests.err()).isZero();
    assertThat(Files.readString(dir.resolve("requests.html")))
        .contains("<h2 id=\"r0\">slow-1", "EXECUTOR_TASK#" + taskId);
    Cli.Result other = tether(dir, "report", asked.toString(), "--by", "tenant");
    assertThat(other.exit()).isEqualTo(1);
    assertThat(other.err().strip())
        .isEqualTo("tether: asked.jfr has no values of the storage 'tenant'");
    Cli.Result topAlone = tether(dir, "report", asked.toString(), "--top", "3");
    assertThat(topAlone.exit()).isEqualTo(2);
    assertThat(topAlone.errLines().get(0)).isEqualTo("tether: --top goes with --by STORAGE");

    Cli.Result toFolder = tether(dir, "dump", Long.toString(pid));
    assertThat(toFolder.exit()).as(toFolder.err()).isZero();
    assertThat(dumps("asked")).hasSize(1);
    assertThat(dumps("asked").get(0).getFileName().toString())
        .startsWith("tether-flight-" + pid + "-");

    programIn.write("throw\n");
    programIn.flush();
    assertThat(program.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(program.exitValue()).isEqualTo(1);
    assertThat(programErr()).contains("the program failed on purpose");
    Path uncaught = awaitDump("uncaught");
    assertThat(tetherEvents(uncaught)).isNotEmpty();
  }

  @Test
  void dump_ofAJvmWithoutAFlightRecording_saysHowToStartOne() throws Exception {
    long pid = start(null);
    Cli.Result dump = tether(dir, "dump", Long.toString(pid));
    assertThat(dump.exit()).isEqualTo(1);
    assertThat(dump.err().strip())
        .isEqualTo(
            "tether: pid "
                + pid
                + " has no flight recording (start it with"
                + " -javaagent:...=flight=5m)");
    programIn.close();
    assertThat(program.waitFor(60, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void dump_badArguments_areNamedInOneLine() throws Exception {
    Cli.Result notANumber = tether(dir, "dump", "abc");
    assertThat(notANumber.exit()).isEqualTo(2);
    assertThat(notANumber.errLines().get(0))
        .isEqualTo("tether: dump takes the pid of a JVM, a number, not 'abc'");
    Cli.Result noProcess = tether(dir, "dump", "999999999");
    assertThat(noProcess.exit()).isEqualTo(1);
    assertThat(noProcess.err().strip()).isEqualTo("tether: no process with pid 999999999");
    Cli.Result noFolder = tether(dir, "dump", "1", "-o", dir.resolve("none/x.jfr").toString());
    assertThat(noFolder.exit()).isEqualTo(1);
    assertThat(noFolder.err()).contains("no such folder");
  }
}
