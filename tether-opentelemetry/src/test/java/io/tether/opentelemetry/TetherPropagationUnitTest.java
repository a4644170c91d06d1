package io.tether.opentelemetry;

import static io.tether.opentelemetry.Services.ROLE;
import static io.tether.opentelemetry.Services.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.tether.AsyncLocalStorage;
import io.tether.opentelemetry.TetherPropagation.Rejection;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Without the agent: headers written by {@code inject} come back through {@code call}, and bad or
 * hostile headers reaching a real loopback server are ignored, counted, and gone by the next
 * request that the same server thread handles.
 */
class TetherPropagationUnitTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private final Tracing tracing = new Tracing();
  private final TetherPropagation propagation = TetherPropagation.builder().baggage(TENANT).build();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private Services.Running server;

  @BeforeEach
  void startServer() throws Exception {
    server = Services.jdkServer(propagation, Services::seen);
  }

  @AfterEach
  void stopServerAndLeaveNoContext() throws Exception {
    server.close();
    tracing.close();
    Tracing.assertRootContext();
    assertThat(TENANT.getStore()).isNull();
    assertThat(ROLE.getStore()).isNull();
  }

  @Test
  @SuppressWarnings("try")
  void injectThenCall_restoresTenantAndRemoteParent() throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    Span span = tracing.tracer.spanBuilder("a").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      TENANT.run("acme", () -> propagation.inject(headers::put));
    } finally {
      span.end();
    }
    assertThat(headers)
        .containsOnlyKeys("traceparent", "baggage")
        .containsEntry("baggage", "tenant=acme");

    String seen =
        propagation.call(
            headers::get,
            () -> {
              assertThat(Span.current().getSpanContext().isRemote()).isTrue();
              return TENANT.getStore() + "/" + Span.current().getSpanContext().getSpanId();
            });
    assertThat(seen).isEqualTo("acme/" + span.getSpanContext().getSpanId());
    assertThat(propagation.rejected()).isZero();
  }

  @Test
  void call_withoutHeaders_hidesAnOuterValue() throws Exception {
    String seen = TENANT.call("outer", () -> propagation.call(name -> null, TENANT::getStore));
    assertThat(seen).as("only the request's headers decide").isNull();
  }

  @Test
  void builder_rejectsNamesThatAreNotBaggageKeys() {
    assertThatThrownBy(() -> TetherPropagation.builder().baggage(new AsyncLocalStorage<>("a b")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TetherPropagation.builder().baggage(new AsyncLocalStorage<>()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Timeout(30)
  void server_validHeaders_seesTenantAndTrace() throws Exception {
    Map<String, String> seen = get(Map.of("baggage", "tenant=acme", "traceparent", TRACEPARENT));
    assertThat(seen)
        .containsEntry("tenant", "acme")
        .containsEntry("trace", "0af7651916cd43dd8448eb211c80319c")
        .containsEntry("span", "b7ad6b7169203331");
    assertThat(propagation.rejected()).isZero();
    assertNextRequestSeesNothing(seen);
  }

  @Test
  @Timeout(30)
  void server_baggageOver8KB_droppedWhole() throws Exception {
    String header = "tenant=acme,pad=" + "x".repeat(8200);
    Map<String, String> seen = get(Map.of("baggage", header, "traceparent", TRACEPARENT));
    assertThat(seen)
        .containsEntry("tenant", "null")
        .containsEntry("baggage", "")
        .as("the valid traceparent is kept")
        .containsEntry("trace", "0af7651916cd43dd8448eb211c80319c");
    assertThat(propagation.rejected(Rejection.BAGGAGE_TOO_LONG)).isEqualTo(1);
    assertNextRequestSeesNothing(seen);
  }

  @Test
  @Timeout(30)
  void server_malformedTraceparent_ignored_validBaggageKept() throws Exception {
    for (String bad :
        new String[] {
          "00-zzzz-b7ad6b7169203331-01",
          "garbage",
          "00-" + "0".repeat(32) + "-b7ad6b7169203331-01",
          TRACEPARENT + "-" + "f".repeat(300)
        }) {
      Map<String, String> seen = get(Map.of("baggage", "tenant=acme", "traceparent", bad));
      assertThat(seen).as(bad).containsEntry("tenant", "acme").containsEntry("traceValid", "false");
      assertNextRequestSeesNothing(seen);
    }
    assertThat(propagation.rejected(Rejection.TRACEPARENT_MALFORMED)).isEqualTo(4);
    assertThat(propagation.rejected()).isEqualTo(4);
  }

  @Test
  @Timeout(30)
  void server_over64BaggageEntries_droppedWhole() throws Exception {
    StringJoiner header = new StringJoiner(",");
    header.add("tenant=acme");
    for (int i = 0; i < 64; i++) {
      header.add("k" + i + "=v");
    }
    Map<String, String> seen = get(Map.of("baggage", header.toString()));
    assertThat(seen).containsEntry("tenant", "null").containsEntry("baggage", "");
    assertThat(propagation.rejected(Rejection.BAGGAGE_TOO_MANY_ENTRIES)).isEqualTo(1);
    assertNextRequestSeesNothing(seen);
  }

  @Test
  @Timeout(30)
  void server_entriesForStoragesNotChosen_droppedEach_chosenKept() throws Exception {
    Map<String, String> seen = get(Map.of("baggage", "role=admin,tenant=acme,other=1"));
    assertThat(seen)
        .containsEntry("tenant", "acme")
        .containsEntry("role", "null")
        .as("dropped entries travel no further either")
        .containsEntry("baggage", "tenant");
    assertThat(propagation.rejected(Rejection.BAGGAGE_ENTRY_NOT_CHOSEN)).isEqualTo(2);
    assertNextRequestSeesNothing(seen);
  }

  @Test
  @Timeout(30)
  void server_garbageBaggage_servedWithNothing() throws Exception {
    Map<String, String> seen =
        get(Map.of("baggage", ";;=,,==;tenant,=acme,%zz=%", "traceparent", ""));
    assertThat(seen).containsEntry("tenant", "null").containsEntry("traceValid", "false");
    assertThat(propagation.rejected(Rejection.TRACEPARENT_MALFORMED)).isEqualTo(1);
    assertNextRequestSeesNothing(seen);
  }

  @Test
  @Timeout(30)
  void jettyServer_hostileHeaders_ignoredAndCounted_nextRequestSeesNothing() throws Exception {
    try (Services.Running jetty = Services.jettyServer(propagation, Services::seen)) {
      Map<String, String> seen =
          get(
              jetty,
              Map.of(
                  "baggage",
                  "role=admin,tenant=acme",
                  "traceparent",
                  "00-zzzz-b7ad6b7169203331-01"));
      assertThat(seen)
          .containsEntry("tenant", "acme")
          .containsEntry("role", "null")
          .containsEntry("traceValid", "false")
          .containsEntry("baggage", "tenant");
      assertThat(propagation.rejected(Rejection.BAGGAGE_ENTRY_NOT_CHOSEN)).isEqualTo(1);
      assertThat(propagation.rejected(Rejection.TRACEPARENT_MALFORMED)).isEqualTo(1);
      for (int i = 0; i < 4; i++) { // Jetty's pool picks the thread: ask a few times
        assertThat(get(jetty, Map.of()))
            .containsEntry("tenant", "null")
            .containsEntry("role", "null")
            .containsEntry("traceValid", "false")
            .containsEntry("baggage", "");
      }
    }
  }

  /** The next request, on the same server thread, with no headers: nothing of the last one. */
  private void assertNextRequestSeesNothing(Map<String, String> previous) throws Exception {
    Map<String, String> next = get(Map.of());
    assertThat(next)
        .containsEntry("thread", previous.get("thread"))
        .containsEntry("tenant", "null")
        .containsEntry("role", "null")
        .containsEntry("traceValid", "false")
        .containsEntry("baggage", "");
  }

  private Map<String, String> get(Map<String, String> headers) throws Exception {
    return get(server, headers);
  }

  private Map<String, String> get(Services.Running target, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(target.uri()).timeout(TIMEOUT);
    headers.forEach(request::header);
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Services.parse(response.body());
  }
}
