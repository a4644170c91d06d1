package io.tether.zipkin;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.recorder.TraceRecorder;
import io.tether.trace.Trace;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records a small known trace, sends it to a real Zipkin server (the {@code zipkin-server} exec
 * jar, in-memory storage, on 127.0.0.1) and reads it back through Zipkin's query API.
 */
class ZipkinExportTest {

  private static final Duration STARTUP = Duration.ofSeconds(120);
  private static final Pattern SPAN_FIELD = Pattern.compile("\"(id|parentId|name)\":\"([^\"]*)\"");

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  void json_oneSpanPerResource_parentedByTrigger() throws Exception {
    Trace trace = Trace.read(recordKnownTrace(dir.resolve("known.trace")));
    String json = ZipkinExport.json(trace, "0af7651916cd43dd8448eb211c80319c", "test");
    assertThat(spans(json))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "0000000000000002", "ROOT <- -",
                "000000000000000a", "TASK <- 0000000000000002",
                "000000000000000b", "TASK <- 0000000000000002",
                "0000000000000014", "STAGE <- 000000000000000a"));
    assertThat(json)
        .contains(
            "\"asyncId\":\"20\"",
            "\"callSite\":\"io.tether.zipkin.ZipkinExportTest",
            "\"thread\":\"" + Thread.currentThread().getName() + "\"");
  }

  @Test
  void json_ofATraceCutShort_tagsItsRootSpansWithTheWarning() throws Exception {
    Path known = recordKnownTrace(dir.resolve("known.trace"));
    byte[] bytes = Files.readAllBytes(known);
    Path cut =
        Files.write(dir.resolve("cut.trace"), java.util.Arrays.copyOf(bytes, bytes.length - 5));
    Trace trace = Trace.read(cut);
    assertThat(trace.warning()).startsWith("cut short at byte " + (bytes.length - 5) + ": ");
    String json = ZipkinExport.json(trace, "0af7651916cd43dd8448eb211c80319c", "test");
    String tag = "\"tether.warning\":\"" + trace.warning() + "\"";
    assertThat(json.split(Pattern.quote(tag), -1)).hasSize(1 + trace.roots().size());
    assertThat(ZipkinExport.json(Trace.read(known), "0af7651916cd43dd8448eb211c80319c", "test"))
        .doesNotContain("tether.warning");
  }

  @Test
  @Timeout(180)
  void send_toRealZipkin_queriedBackWithNamesAndParents() throws Exception {
    Trace trace = Trace.read(recordKnownTrace(dir.resolve("known.trace")));
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    URI zipkin = URI.create("http://127.0.0.1:" + port + "/");
    Path log = dir.resolve("zipkin.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                javaCommand(),
                "-jar",
                zipkinJar(),
                "--server.port=" + port,
                "--server.address=127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("STORAGE_TYPE", "mem");
    Process server = builder.start();
    try {
      awaitHealthy(server, zipkin.resolve("/health"), log);

      String traceId = ZipkinExport.send(trace, zipkin, "tether-test");

      Map<String, String> stored = awaitTrace(zipkin.resolve("/api/v2/trace/" + traceId), 4);
      assertThat(stored)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "0000000000000002", "root <- -",
                  "000000000000000a", "task <- 0000000000000002",
                  "000000000000000b", "task <- 0000000000000002",
                  "0000000000000014", "stage <- 000000000000000a"));
    } finally {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    }
    assertThat(server.isAlive()).isFalse();
  }

  /**
   * ROOT (2) links TASK 10 and TASK 11 while it runs; TASK 10, while it runs, links STAGE 20. Fed
   * straight to the recorder's hook methods: no agent, no timing luck.
   */
  private static Path recordKnownTrace(Path file) throws IOException {
    try (TraceRecorder recorder = TraceRecorder.start(file)) {
      recorder.init(2, "ROOT", 1, null);
      recorder.before(2);
      recorder.init(10, "TASK", 2, null);
      recorder.init(11, "TASK", 2, null);
      recorder.after(2);
      recorder.before(10);
      recorder.init(20, "STAGE", 10, null);
      recorder.after(10);
      recorder.before(11);
      recorder.after(11);
      recorder.before(20);
      recorder.after(20);
      recorder.destroy(10);
      recorder.destroy(11);
      recorder.destroy(20);
      recorder.destroy(2);
    }
    return file;
  }

  /** Span id to "name &lt;- parent id" ({@code -} for a root), from Zipkin v2 JSON. */
  private static Map<String, String> spans(String json) {
    Map<String, String> spans = new TreeMap<>();
    List<String> objects = new ArrayList<>(List.of(json.split("\\{\"traceId\"")));
    objects.remove(0); // what precedes the first span
    for (String span : objects) {
      Map<String, String> fields = new TreeMap<>();
      Matcher m = SPAN_FIELD.matcher(span);
      while (m.find()) {
        fields.putIfAbsent(m.group(1), m.group(2));
      }
      spans.put(
          fields.get("id"), fields.get("name") + " <- " + fields.getOrDefault("parentId", "-"));
    }
    return spans;
  }

  /** Zipkin stores what it accepted asynchronously: poll, to a deadline, until all spans are in. */
  private Map<String, String> awaitTrace(URI query, int spans) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Map<String, String> found = Map.of();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(query).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        found = spans(response.body());
        if (found.size() >= spans) {
          return found;
        }
      }
      Thread.sleep(100); // a poll interval, bounded by the deadline
    }
    return found;
  }

  private void awaitHealthy(Process server, URI health, Path log) throws Exception {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(server.isAlive()).as("Zipkin exited early:%n%s", tail(log)).isTrue();
      try {
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // keep polling until the deadline
      }
      Thread.sleep(200); // a poll interval, bounded by the deadline
    }
    throw new AssertionError("Zipkin not healthy within " + STARTUP + ":\n" + tail(log));
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static String javaCommand() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static String zipkinJar() {
    String jar = System.getProperty("zipkin.jar");
    assertThat(jar).as("system property zipkin.jar (set by the pom)").isNotNull();
    assertThat(Path.of(jar)).exists();
    return jar;
  }
}
