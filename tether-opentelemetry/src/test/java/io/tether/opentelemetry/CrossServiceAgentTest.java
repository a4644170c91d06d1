package io.tether.opentelemetry;

import static io.tether.opentelemetry.Services.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.tether.testing.AgentAttached;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With the Tether agent attached: a request to service A, whose handling sets a tenant and a span
 * and calls service B with {@code HttpClient.sendAsync}, reaches B with that tenant and a child of
 * A's span; the stage A chains on the response runs in A's context.
 */
@ExtendWith(AgentAttached.class)
class CrossServiceAgentTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final Tracing tracing = new Tracing();
  private final TetherPropagation propagation = TetherPropagation.builder().baggage(TENANT).build();
  private final HttpClient plain = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  @AfterEach
  void leavesNoContext() {
    tracing.close();
    Tracing.assertRootContext();
    assertThat(TENANT.getStore()).isNull();
  }

  @Test
  @Timeout(30)
  void sendAsync_toJdkServerB_carriesTenantAndSpan() throws Exception {
    try (Services.Running b = Services.jdkServer(propagation, this::serviceB)) {
      assertServiceBSawA(callA(b.uri(), propagation.wrap(plain)));
    }
  }

  @Test
  @Timeout(30)
  void sendAsync_toJettyServerB_carriesTenantAndSpan() throws Exception {
    try (Services.Running b = Services.jettyServer(propagation, this::serviceB)) {
      assertServiceBSawA(callA(b.uri(), propagation.wrap(plain)));
    }
  }

  @Test
  @Timeout(30)
  void injectIntoRequestBuilder_toJettyServerB_carriesTenantAndSpan() throws Exception {
    try (Services.Running b = Services.jettyServer(propagation, this::serviceB)) {
      assertServiceBSawA(callA(b.uri(), null));
    }
  }

  /** The control: in one JVM, nothing but the headers could carry the tenant to B. */
  @Test
  @Timeout(30)
  void sendAsync_withoutPropagation_serviceBSeesNothing() throws Exception {
    try (Services.Running b = Services.jdkServer(propagation, this::serviceB)) {
      Map<String, String> seen = callA(b.uri(), plain);
      assertThat(seen).containsEntry("tenant", "null").containsEntry("traceValid", "false");
      assertThat(seen)
          .containsEntry("stageTenant", "acme")
          .containsEntry("stageSpan", seen.get("aSpan"));
    }
  }

  /** B: what it sees, and a span of its own under the current (remote) one. */
  private String serviceB() {
    tracing.childSpan("b");
    return Services.seen();
  }

  /**
   * Starts A, asks it once, stops it. A's handling runs with tenant=acme and span "a", calls B with
   * {@code client.sendAsync} ({@code null}: a plain client and {@link
   * TetherPropagation#inject(HttpRequest.Builder)}), and appends what its dependent stage saw.
   */
  @SuppressWarnings("try")
  private Map<String, String> callA(URI b, HttpClient client) throws Exception {
    try (Services.Running a =
        Services.jdkServer(
            propagation,
            () ->
                TENANT.call(
                    "acme",
                    () -> {
                      Span span = tracing.tracer.spanBuilder("a").startSpan();
                      try (Scope ignored = span.makeCurrent()) {
                        HttpRequest.Builder request = HttpRequest.newBuilder(b).timeout(TIMEOUT);
                        HttpClient sender = client != null ? client : plain;
                        if (client == null) {
                          propagation.inject(request);
                        }
                        return sender
                                .sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                                .thenApply(
                                    response ->
                                        response.body()
                                            + ";stageTenant="
                                            + TENANT.getStore()
                                            + ";stageSpan="
                                            + Span.current().getSpanContext().getSpanId())
                                .get(10, TimeUnit.SECONDS)
                            + ";aTrace="
                            + span.getSpanContext().getTraceId()
                            + ";aSpan="
                            + span.getSpanContext().getSpanId();
                      } finally {
                        span.end();
                      }
                    }))) {
      HttpResponse<String> response =
          plain.send(
              HttpRequest.newBuilder(a.uri()).timeout(TIMEOUT).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return Services.parse(response.body());
    }
  }

  private void assertServiceBSawA(Map<String, String> seen) {
    assertThat(seen)
        .containsEntry("tenant", "acme")
        .containsEntry("role", "null")
        .containsEntry("baggage", "tenant")
        .containsEntry("traceValid", "true")
        .containsEntry("trace", seen.get("aTrace"))
        .containsEntry("span", seen.get("aSpan"));
    assertThat(seen)
        .as("the stage chained on sendAsync runs in A's context")
        .containsEntry("stageTenant", "acme")
        .containsEntry("stageSpan", seen.get("aSpan"));
    assertThat(tracing.finished("b").getParentSpanId()).isEqualTo(seen.get("aSpan"));
    assertThat(tracing.finished("b").getTraceId()).isEqualTo(seen.get("aTrace"));
  }
}
