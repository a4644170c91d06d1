package io.tether.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report in a real browser (headless Chromium, Debian package {@code chromium}, installed
 * by {@code scripts/install-chromium.sh}): it loads with no error, shows the node counts of a known
 * trace, renders a trace of a million events, and a screenshot is produced; likewise the
 * per-request view ({@link RequestReport}). Skipped where no Chromium is installed, unless {@code
 * TETHER_REQUIRE_BROWSER} is set (CI sets it).
 */
@Timeout(180)
class HtmlReportBrowserTest {

  private static String chromium;

  @TempDir Path dir;

  @BeforeAll
  static void findChromium() {
    for (String name : List.of("chromium", "chromium-browser")) {
      for (String path : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        File candidate = new File(path, name);
        if (candidate.canExecute()) {
          chromium = candidate.getPath();
          return;
        }
      }
    }
    String required = System.getenv("TETHER_REQUIRE_BROWSER");
    if (required != null && !required.isEmpty()) {
      throw new IllegalStateException(
          "TETHER_REQUIRE_BROWSER is set but no chromium is on the"
              + " PATH: run scripts/install-chromium.sh");
    }
    Assumptions.abort("no chromium on the PATH (scripts/install-chromium.sh installs it)");
  }

  private static Path report(Path trace, Path html) throws Exception {
    try (Writer w = Files.newBufferedWriter(html, StandardCharsets.UTF_8)) {
      HtmlReport.write(Trace.read(trace), w);
    }
    return html;
  }

  /** Runs headless Chromium on the page; returns the DOM after its scripts ran. */
  private String chromium(Path html, String... extra) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--user-data-dir=" + dir.resolve("profile"),
                "--virtual-time-budget=10000"));
    command.addAll(List.of(extra));
    command.add(html.toUri().toString());
    Path out = dir.resolve("chromium.out");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(dir.resolve("chromium.err").toFile())
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    assertThat(p.exitValue())
        .as("chromium exit; stderr: %s", Files.readString(dir.resolve("chromium.err")))
        .isZero();
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  private static String attribute(String dom, String element, String name) {
    Matcher m =
        Pattern.compile("<" + element + "\\b[^>]*?\\b" + name + "=\"([^\"]*)\"").matcher(dom);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void knownTrace_loadsWithoutErrors_andShowsItsNodes() throws Exception {
    Path trace = dir.resolve("known.trace");
    TraceFiles.known(trace);
    String dom = chromium(report(trace, dir.resolve("known.html")), "--dump-dom");

    assertThat(attribute(dom, "body", "data-rendered")).isEqualTo("true");
    assertThat(attribute(dom, "body", "data-errors")).as("errors on the page").isNull();
    assertThat(attribute(dom, "body", "data-groups")).isEqualTo("3");
    assertThat(attribute(dom, "div", "data-nodes")).isEqualTo("3");
    assertThat(attribute(dom, "div", "data-edges")).isEqualTo("2");
    assertThat(attribute(dom, "canvas", "data-lanes")).isEqualTo("2");
    assertThat(dom).contains("app.Main.work(Main.java:2)", ">7<"); // 7 resources in the summary
  }

  @Test
  void millionEventTrace_renders_andAScreenshotIsTaken() throws Exception {
    Path trace = dir.resolve("large.trace");
    TraceFiles.large(trace, 250_000);
    Trace read = Trace.read(trace);
    assertThat(read.events()).isEqualTo(1_000_000);
    Path html = report(trace, dir.resolve("large.html"));
    assertThat(Files.size(html)).as("aggregated, not every event").isLessThan(2_000_000);

    String dom = chromium(html, "--dump-dom");
    assertThat(attribute(dom, "body", "data-rendered")).isEqualTo("true");
    assertThat(attribute(dom, "body", "data-errors")).isNull();
    assertThat(attribute(dom, "body", "data-groups")).isEqualTo("40");

    Path screenshot = Path.of("target", "report-screenshot.png").toAbsolutePath();
    Files.createDirectories(screenshot.getParent());
    Files.deleteIfExists(screenshot);
    chromium(html, "--window-size=1400,1600", "--screenshot=" + screenshot);
    assertThat(screenshot).exists();
    assertThat(Files.size(screenshot)).isGreaterThan(10_000);
  }

  @Test
  void requestView_rendersItsWaterfalls_andAScreenshotIsTaken() throws Exception {
    Path html = dir.resolve("requests.html");
    try (Writer w = Files.newBufferedWriter(html, StandardCharsets.UTF_8)) {
      RequestReport.write(Trace.read(RequestReportTest.record(dir, true)), "requestId", 10, w);
    }
    String dom = chromium(html, "--dump-dom");
    assertThat(dom).contains("<h2 id=\"r0\">slow-1", "<h2 id=\"r1\">fast-1");
    assertThat(attribute(dom, "rect", "class")).isIn("queued", "waiting", "running");

    Path screenshot = Path.of("target", "requests-screenshot.png").toAbsolutePath();
    Files.createDirectories(screenshot.getParent());
    Files.deleteIfExists(screenshot);
    chromium(html, "--window-size=1100,700", "--screenshot=" + screenshot);
    assertThat(screenshot).exists();
    assertThat(Files.size(screenshot)).isGreaterThan(10_000);
  }
}
