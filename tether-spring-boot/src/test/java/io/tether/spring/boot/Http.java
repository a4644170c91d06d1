package io.tether.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.Waits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.context.ConfigurableApplicationContext;

/** Real HTTP requests to a test application on 127.0.0.1, with the JDK's client. */
final class Http {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {}

  /** The application's base address, from the port Spring Boot chose. */
  static String base(ConfigurableApplicationContext app) {
    return "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  /** GETs {@code path} once, with {@code headers}; returns the body of a 200 response. */
  static String get(String url, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Waits.TIMEOUT).GET();
    headers.forEach(request::header);
    HttpResponse<String> response =
        Waits.join(CLIENT.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()));
    assertThat(response.statusCode()).as("status of %s: %s", url, response.body()).isEqualTo(200);
    return response.body();
  }

  /** GETs {@code base + path + id} for every id at once, and returns the bodies in order. */
  static List<String> getConcurrently(String base, String path, List<String> ids) {
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (String id : ids) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(base + path + id)).timeout(Waits.TIMEOUT).GET().build();
      sent.add(CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    List<String> bodies = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> response : sent) {
      HttpResponse<String> r = Waits.join(response);
      assertThat(r.statusCode()).as("status: %s", r.body()).isEqualTo(200);
      bodies.add(r.body());
    }
    return bodies;
  }
}
