package io.tether.opentelemetry;

import static io.tether.opentelemetry.Services.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * Incoming {@code traceparent}, {@code tracestate} and {@code baggage} headers of any value (the
 * input's lines, in that order): {@link TetherPropagation#call} never throws; a {@code traceparent}
 * it accepts is well formed by the W3C's rules and one well formed in version 00 is accepted; what
 * it accepts goes out again unchanged through {@code inject} (the trace and parent ids, the chosen
 * storage's baggage value), and nothing is left in the context afterwards. Under {@code mvn verify}
 * these run the inputs kept in {@code TetherPropagationFuzzTestInputs} (the seeds and every crash
 * found); {@code scripts/fuzz.sh} fuzzes them.
 */
class TetherPropagationFuzzTest {

  /** W3C Trace Context: version, trace id, parent id, flags; more may follow a later version. */
  private static final Pattern TRACEPARENT =
      Pattern.compile(
          "([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?", Pattern.DOTALL);

  private final TetherPropagation propagation = TetherPropagation.builder().baggage(TENANT).build();

  @AfterEach
  void noContextLeft() {
    Tracing.assertRootContext();
    assertThat(TENANT.getStore()).isNull();
  }

  @FuzzTest
  @Timeout(10)
  void call_anyHeaders(byte[] bytes) throws Exception {
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", 3);
    Map<String, String> incoming = new HashMap<>();
    incoming.put(TetherPropagation.TRACEPARENT, lines[0]);
    if (lines.length > 1) {
      incoming.put("tracestate", lines[1]);
    }
    if (lines.length > 2) {
      incoming.put(TetherPropagation.BAGGAGE, lines[2]);
    }
    Map<String, String> outgoing = new HashMap<>();
    String[] tenant = new String[1];
    SpanContext span =
        propagation.call(
            incoming::get,
            () -> {
              tenant[0] = TENANT.getStore();
              propagation.inject(outgoing::put);
              return Span.current().getSpanContext();
            });
    Tracing.assertRootContext();

    String traceparent = lines[0];
    java.util.regex.Matcher w3c = TRACEPARENT.matcher(traceparent);
    boolean wellFormed =
        w3c.matches()
            && !w3c.group(1).equals("ff")
            && !w3c.group(2).matches("0+")
            && !w3c.group(3).matches("0+")
            && (w3c.group(1).equals("00") ? w3c.group(5) == null : true);
    if (span.isValid()) {
      assertThat(w3c.matches()).as("accepted %s", traceparent).isTrue();
      assertThat(w3c.group(1)).isNotEqualTo("ff");
      assertThat(span.getTraceId()).isEqualTo(w3c.group(2));
      assertThat(span.getSpanId()).isEqualTo(w3c.group(3));
      assertThat(outgoing.get(TetherPropagation.TRACEPARENT))
          .startsWith("00-" + w3c.group(2) + "-" + w3c.group(3) + "-");
    } else {
      assertThat(wellFormed && w3c.group(1).equals("00"))
          .as("version 00 traceparent ignored: %s", traceparent)
          .isFalse();
      assertThat(outgoing).doesNotContainKey(TetherPropagation.TRACEPARENT);
    }
    if (tenant[0] != null) {
      // what came in goes out, and comes back in as the same value
      String baggage = outgoing.get(TetherPropagation.BAGGAGE);
      assertThat(baggage).isNotNull();
      String back =
          propagation.call(Map.of(TetherPropagation.BAGGAGE, baggage)::get, TENANT::getStore);
      assertThat(back).isEqualTo(tenant[0]);
    }
  }
}
