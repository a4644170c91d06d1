package io.tether.cli;

import static io.tether.cli.Cli.tether;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.recorder.TraceFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether report} and {@code tether export} on a trace that {@code tether run} recorded:
 * every file written is confirmed with its path and size on standard error; a missing output folder
 * and a missing input are one line each, exit code 1, and nothing is written; a corrupt input or
 * one that is not a trace is one line, exit code 2, and nothing is written; a trace cut short is
 * read, with its warning on standard error and in what is written, exit code 0.
 */
@Timeout(300)
class ReportAndExportTest {

  @TempDir static Path dir;
  static Path trace;

  @BeforeAll
  static void record() throws Exception {
    trace = dir.resolve("app.trace");
    Cli.Result run = Cli.runTiny(dir, List.of("--trace", trace.toString()));
    assertThat(run.exit()).as(run.err()).isZero();
  }

  @Test
  void report_writesThePage_andConfirmsPathSizeAndCounts() throws Exception {
    Cli.Result result = tether(dir, "report", "app.trace", "-o", "page.html");
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).isEmpty();
    assertThat(result.errLines()).hasSize(1);
    assertThat(result.errLines().get(0))
        .matches("tether: wrote page\\.html \\(\\d+ KB; [\\d,]+ resources, [\\d,]+ events\\)");
    assertThat(Files.readString(dir.resolve("page.html"))).contains("<html", "EXECUTOR_TASK");
  }

  @Test
  void report_ofAJfrRecording_withTetherEvents() throws Exception {
    Path recording = dir.resolve("app.jfr");
    Cli.Result run =
        tether(
            dir,
            "run",
            "--agent-options",
            "jfr=true",
            "--",
            Cli.JAVA,
            "-Xshare:off",
            "-XX:StartFlightRecording=filename=" + recording,
            "-cp",
            Cli.testClasses(),
            TinyProgram.class.getName());
    assertThat(run.exit()).as(run.err()).isZero();
    Cli.Result report = tether(dir, "report", "app.jfr", "-o", "jfr.html");
    assertThat(report.exit()).as(report.err()).isZero();
    assertThat(report.errLines().get(0)).startsWith("tether: wrote jfr.html (");
    assertThat(Files.readString(dir.resolve("jfr.html"))).contains("<html", "EXECUTOR_TASK");
    Cli.Result tree = tether(dir, "export", "app.jfr", "--format", "tree");
    assertThat(tree.exit()).as(tree.err()).isZero();
    assertThat(tree.out()).contains("EXECUTOR_TASK#");
  }

  @Test
  void report_withoutOutput_writesReportHtmlInTheCurrentFolder() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("here"));
    Cli.Result result = tether(folder, "report", trace.toString());
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.errLines().get(0)).startsWith("tether: wrote report.html (");
    assertThat(folder.resolve("report.html")).isRegularFile();
  }

  @Test
  void export_withOutput_writesTheFile_andConfirmsIt() throws Exception {
    Cli.Result chrome = tether(dir, "export", "app.trace", "--format", "chrome", "-o", "app.json");
    assertThat(chrome.exit()).as(chrome.err()).isZero();
    assertThat(chrome.out()).isEmpty();
    assertThat(chrome.errLines())
        .singleElement()
        .asString()
        .matches("tether: wrote app\\.json \\(\\d+ (bytes|KB)\\)");
    assertThat(Files.readString(dir.resolve("app.json"))).contains("\"traceEvents\"");

    Cli.Result tree = tether(dir, "export", "app.trace", "-f", "tree", "--output=tree.txt");
    assertThat(tree.exit()).as(tree.err()).isZero();
    assertThat(tree.errLines()).singleElement().asString().startsWith("tether: wrote tree.txt (");
    assertThat(Files.readString(dir.resolve("tree.txt"))).contains("EXECUTOR_TASK#");
  }

  @Test
  void export_withoutOutput_printsTheExportAlone() throws Exception {
    Cli.Result tree = tether(dir, "export", "app.trace", "--format", "tree");
    assertThat(tree.exit()).isZero();
    assertThat(tree.err()).isEmpty();
    assertThat(tree.out()).contains("EXECUTOR_TASK#");
    assertThat(tree.out()).isEqualTo(Files.readString(exported("tree", "stdout-compare.txt")));
  }

  private static Path exported(String format, String name) throws Exception {
    assertThat(tether(dir, "export", "app.trace", "--format", format, "-o", name).exit()).isZero();
    return dir.resolve(name);
  }

  @Test
  void missingOutputFolder_isNamedAsAFolder_andNothingIsWritten() throws Exception {
    Cli.Result report = tether(dir, "report", "app.trace", "-o", "out/report.html");
    assertThat(report.exit()).isEqualTo(1);
    assertThat(report.errLines())
        .containsExactly("tether: no such folder: out/ (for -o out/report.html)");

    Cli.Result export =
        tether(dir, "export", "app.trace", "--format", "chrome", "-o", "a/b/c.json");
    assertThat(export.exit()).isEqualTo(1);
    assertThat(export.out()).isEmpty();
    assertThat(export.errLines())
        .containsExactly("tether: no such folder: a/b/ (for -o a/b/c.json)");
    assertThat(dir.resolve("out")).doesNotExist();
    assertThat(dir.resolve("a")).doesNotExist();
  }

  @Test
  void outputThatIsAFolder_isSaidSo() throws Exception {
    Files.createDirectories(dir.resolve("pages"));
    Cli.Result report = tether(dir, "report", "app.trace", "-o", "pages");
    assertThat(report.exit()).isEqualTo(1);
    assertThat(report.errLines())
        .containsExactly("tether: pages is a folder; -o takes the name of a file to write");
  }

  @Test
  void badInput_isOneLineNamingTheFileAndTheProblem_exit1() throws Exception {
    assertFailure(1, "tether: no such file: missing.trace", "report", "missing.trace");
    Files.createDirectories(dir.resolve("traces"));
    assertFailure(
        1, "tether: traces is a folder, not a trace file", "export", "traces", "--format", "tree");
  }

  @Test
  void foreignFile_isCorruptAtByteZero_exit2() throws Exception {
    Files.write(dir.resolve("foreign.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    assertFailure(
        2,
        "tether: foreign.bin: corrupt at byte 0: no TTHRACE or FLR header (not a Tether trace or"
            + " JFR recording)",
        "export",
        "foreign.bin",
        "--format",
        "chrome");
  }

  @Test
  void corruptTrace_isOneLineNamingTheByte_exit2_andNothingIsWritten() throws Exception {
    byte[] bytes = Files.readAllBytes(trace);
    int block = largestBlock(bytes);
    bytes[block + TraceFormat.BLOCK_HEADER_LENGTH + 3] ^= 0x10;
    Files.write(dir.resolve("corrupt.trace"), bytes);
    String line =
        "tether: corrupt.trace: corrupt at byte " + block + ": a block's checksum does not match";
    assertFailure(2, line, "report", "corrupt.trace", "-o", "corrupt.html");
    assertThat(dir.resolve("corrupt.html")).doesNotExist();
    assertFailure(2, line, "export", "corrupt.trace", "--format", "chrome");
    assertFailure(2, line, "export", "corrupt.trace", "--format", "tree", "-o", "corrupt.txt");
    assertThat(dir.resolve("corrupt.txt")).doesNotExist();
  }

  @Test
  void traceCutShort_isRead_withItsWarningOnStandardErrorAndInEveryOutput_exit0() throws Exception {
    byte[] bytes = Files.readAllBytes(trace);
    int block = largestBlock(bytes);
    int length = block + TraceFormat.BLOCK_HEADER_LENGTH + 10;
    Files.write(dir.resolve("cut.trace"), Arrays.copyOf(bytes, length));
    String warning =
        "cut short at byte "
            + length
            + ": at least the last "
            + TraceFormat.getInt(bytes, block + 4)
            + " events are missing";

    Cli.Result report = tether(dir, "report", "cut.trace", "-o", "cut.html");
    assertThat(report.exit()).as(report.err()).isZero();
    assertThat(report.errLines())
        .hasSize(2)
        .first()
        .isEqualTo("tether: warning: cut.trace: " + warning);
    assertThat(report.errLines().get(1)).startsWith("tether: wrote cut.html (");
    assertThat(Files.readString(dir.resolve("cut.html")))
        .contains("\"warning\":\"" + warning + "\"");

    Cli.Result chrome = tether(dir, "export", "cut.trace", "--format", "chrome", "-o", "cut.json");
    assertThat(chrome.exit()).as(chrome.err()).isZero();
    assertThat(chrome.errLines()).first().isEqualTo("tether: warning: cut.trace: " + warning);
    assertThat(Files.readString(dir.resolve("cut.json")))
        .contains("\"warning\":\"" + warning + "\"");

    Cli.Result tree = tether(dir, "export", "cut.trace", "--format", "tree");
    assertThat(tree.exit()).as(tree.err()).isZero();
    assertThat(tree.errLines()).containsExactly("tether: warning: cut.trace: " + warning);
    assertThat(tree.out().lines().limit(2)).contains("# warning: " + warning);
  }

  /** The offset of the trace's largest block (one of events, in a trace of a real program). */
  private static int largestBlock(byte[] bytes) {
    int largest = TraceFormat.HEADER_LENGTH;
    for (int at = TraceFormat.HEADER_LENGTH; at < bytes.length; ) {
      if (TraceFormat.getInt(bytes, at) > TraceFormat.getInt(bytes, largest)) {
        largest = at;
      }
      at += TraceFormat.BLOCK_HEADER_LENGTH + TraceFormat.getInt(bytes, at) + 4;
    }
    assertThat(TraceFormat.getInt(bytes, largest + 4))
        .as("events in the largest block")
        .isPositive();
    return largest;
  }

  private static void assertFailure(int exit, String line, String... args) throws Exception {
    Cli.Result result = tether(dir, args);
    assertThat(result.exit()).as("%s", List.of(args)).isEqualTo(exit);
    assertThat(result.out()).as("%s", List.of(args)).isEmpty();
    assertThat(result.errLines()).as("%s", List.of(args)).containsExactly(line);
  }
}
