package io.tether.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.NoContextLeft;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

class RequestLoggerTest {

  @RegisterExtension
  static final NoContextLeft NO_CONTEXT_LEFT =
      NoContextLeft.of(RequestLogger.REQUEST_ID).andNoThreadsLeft();

  @Test
  @Timeout(30)
  void run_twoRequestsOneAfterTheOther_printsNodesOutput() throws Exception {
    Output out = new Output();

    RequestLogger.run(out.stream);

    assertThat(out.lines()).containsExactly("0: start", "0: finish", "1: start", "1: finish");
  }

  @Test
  void logWithId_outsideAnyRequest_printsDash() throws Exception {
    Output out = new Output();
    try (RequestLogger logger = new RequestLogger(out.stream)) {
      logger.logWithId("idle");
    }

    assertThat(out.lines()).containsExactly("-: idle");
  }

  @Test
  void logWithId_insideRun_printsTheStore() throws Exception {
    Output out = new Output();
    try (RequestLogger logger = new RequestLogger(out.stream)) {
      RequestLogger.REQUEST_ID.run(7, () -> logger.logWithId("inside"));
      logger.logWithId("after");
    }

    assertThat(out.lines()).containsExactly("7: inside", "-: after");
  }

  @Test
  @Timeout(30)
  void handle_concurrentRequests_eachFinishSeesItsOwnRequestsId() throws Exception {
    int requests = 20;
    Output out = new Output();
    HttpClient client = RequestLogger.newClient();
    try (RequestLogger logger = new RequestLogger(out.stream)) {
      HttpRequest get = HttpRequest.newBuilder(logger.uri()).GET().build();
      List<CompletableFuture<HttpResponse<Void>>> responses = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        responses.add(client.sendAsync(get, HttpResponse.BodyHandlers.discarding()));
      }
      for (CompletableFuture<HttpResponse<Void>> response : responses) {
        assertThat(response.join().statusCode()).isEqualTo(200);
      }
    } finally {
      RequestLogger.close(client);
    }

    List<String> lines = out.lines();
    assertThat(lines).hasSize(2 * requests).noneMatch(line -> line.startsWith("-"));
    for (int id = 0; id < requests; id++) {
      assertThat(lines).containsOnlyOnce(id + ": start", id + ": finish");
      assertThat(lines.indexOf(id + ": start")).isLessThan(lines.indexOf(id + ": finish"));
    }
  }
}
