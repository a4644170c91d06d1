package io.tether.zipkin;

import io.tether.trace.Trace;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Sends a recorded trace to Zipkin as one Zipkin trace: one span per resource, named by its type,
 * from its {@code init} to its {@linkplain Trace.Resource#end() end}, a child of the span of the
 * resource that triggered it, tagged with {@code asyncId}, {@code callSite}, {@code thread} (where
 * it was linked) and {@code runs}.
 *
 * <pre>{@code
 * Trace trace = Trace.read(Path.of("app.trace"));
 * String traceId = ZipkinExport.send(trace, URI.create("http://127.0.0.1:9411/"), "my-app");
 * // then http://127.0.0.1:9411/zipkin/traces/{traceId}
 * }</pre>
 *
 * <p>Cautions:
 *
 * <ul>
 *   <li>Zipkin lower-cases span names: {@code EXECUTOR_TASK} shows as {@code executor_task}.
 *   <li>A span id is the resource's async id in hexadecimal; a resource whose trigger is not in the
 *       trace (the program's first execution, or a dropped {@code init}) is a root span.
 *   <li>A resource whose {@code init} was not recorded starts at its first run; one with neither is
 *       left out. Times are microseconds, as Zipkin keeps them; shorter spans last 1 µs.
 *   <li>Large traces are sent as one request; Zipkin's default limit on a request body applies.
 *   <li>A trace file cut short ({@link Trace#warning()}) is sent as far as it was read, and each
 *       root span carries the warning as the tag {@code tether.warning}; a corrupt one cannot be
 *       read at all ({@link Trace#read} throws).
 * </ul>
 */
public final class ZipkinExport {

  private static final SecureRandom RANDOM = new SecureRandom();

  private ZipkinExport() {}

  /** {@code value} as a JSON string literal. */
  static String string(String value) {
    StringBuilder b = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == '\u2028' || c == '\u2029') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /**
   * Returns the trace as a Zipkin v2 JSON list of spans, all in trace {@code traceId}.
   *
   * @param trace the recorded trace
   * @param traceId 32 lower-case hexadecimal digits, not all zero
   * @param serviceName the local endpoint's service name
   * @return the JSON text for {@code POST /api/v2/spans}
   */
  public static String json(Trace trace, String traceId, String serviceName) {
    Objects.requireNonNull(trace, "trace");
    if (traceId == null || !traceId.matches("[0-9a-f]{32}") || traceId.matches("0+")) {
      throw new IllegalArgumentException(
          "traceId must be 32 lower-case hex digits, not all zero: " + traceId);
    }
    String endpoint =
        "{\"serviceName\":" + string(Objects.requireNonNull(serviceName, "serviceName")) + "}";
    long epochMicros = trace.startEpochMillis() * 1000;
    List<String> threads = trace.threadNames();
    String warning =
        trace.warning() == null ? "" : ",\"tether.warning\":" + string(trace.warning());
    StringBuilder b = new StringBuilder(256 * Math.max(1, trace.resources().size())).append('[');
    boolean first = true;
    for (Trace.Resource r : trace.resources()) {
      long start = r.init != Trace.NONE ? r.init : r.runCount() > 0 ? r.runBefore(0) : Trace.NONE;
      if (start == Trace.NONE || r.id <= 0) {
        continue;
      }
      long duration = Math.max(1, (r.end() - start) / 1000);
      if (!first) {
        b.append(',');
      }
      first = false;
      b.append("{\"traceId\":\"")
          .append(traceId)
          .append('"')
          .append(",\"id\":\"")
          .append(spanId(r.id))
          .append('"');
      Trace.Resource trigger = trace.resource(r.trigger);
      boolean root = trigger == null || trigger == r || trigger.id <= 0;
      if (!root) {
        b.append(",\"parentId\":\"").append(spanId(trigger.id)).append('"');
      }
      String thread =
          r.initThread >= 0 && r.initThread < threads.size() ? threads.get(r.initThread) : "?";
      b.append(",\"name\":")
          .append(string(r.type))
          .append(",\"timestamp\":")
          .append(epochMicros + start / 1000)
          .append(",\"duration\":")
          .append(duration)
          .append(",\"localEndpoint\":")
          .append(endpoint)
          .append(",\"tags\":{\"asyncId\":\"")
          .append(r.id)
          .append("\",\"callSite\":")
          .append(string(r.callSite))
          .append(",\"thread\":")
          .append(string(thread))
          .append(",\"runs\":\"")
          .append(r.runCount())
          .append('"')
          .append(root ? warning : "")
          .append("}}");
    }
    return b.append(']').toString();
  }

  /**
   * Posts the trace to the Zipkin server at {@code zipkin} ({@code POST /api/v2/spans}) under a new
   * random trace id.
   *
   * @param trace the recorded trace
   * @param zipkin the server's base address, such as {@code http://127.0.0.1:9411/}
   * @param serviceName the local endpoint's service name
   * @return the trace id, for {@code /api/v2/trace/{traceId}} or the Zipkin UI
   * @throws IOException if the server cannot be reached or does not answer 202
   * @throws InterruptedException if interrupted while waiting for the answer
   */
  public static String send(Trace trace, URI zipkin, String serviceName)
      throws IOException, InterruptedException {
    String traceId = newTraceId();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest request =
        HttpRequest.newBuilder(zipkin.resolve("/api/v2/spans"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    json(trace, traceId, serviceName), StandardCharsets.UTF_8))
            .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("Zipkin answered " + response.statusCode() + ": " + response.body());
    }
    return traceId;
  }

  /** The span id of resource {@code asyncId}: 16 lower-case hex digits. */
  static String spanId(long asyncId) {
    return String.format("%016x", asyncId);
  }

  private static String newTraceId() {
    long high;
    long low;
    do {
      high = RANDOM.nextLong();
      low = RANDOM.nextLong();
    } while (high == 0 && low == 0);
    return String.format("%016x%016x", high, low);
  }
}
