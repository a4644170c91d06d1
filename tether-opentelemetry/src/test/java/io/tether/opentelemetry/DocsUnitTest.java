package io.tether.opentelemetry;

import io.tether.testing.DocBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The OpenTelemetry and W3C blocks of docs/integrations.md compile against tether-opentelemetry,
 * OpenTelemetry and Jetty.
 */
@Timeout(120)
class DocsUnitTest {

  @Test
  void spans_compile() {
    DocBlocks.compile(
        "integrations-opentelemetry",
        """
        import io.opentelemetry.api.trace.Span;
        import io.opentelemetry.api.trace.Tracer;
        import io.opentelemetry.context.Scope;
        import java.util.concurrent.CompletableFuture;
        import java.util.concurrent.ExecutorService;

        class Spans {
          Tracer tracer;
          ExecutorService executor;

          String load() {
            return "rows";
          }

          void handle() {
            %s
          }
        }
        """);
  }

  @Test
  void w3cPropagation_compiles() {
    DocBlocks.compile(
        "integrations-w3c",
        """
        import static java.net.http.HttpResponse.BodyHandlers.ofString;

        import com.sun.net.httpserver.HttpHandler;
        import com.sun.net.httpserver.HttpServer;
        import io.tether.AsyncLocalStorage;
        import io.tether.opentelemetry.TetherPropagation;
        import io.tether.opentelemetry.TetherServletFilter;
        import jakarta.servlet.DispatcherType;
        import java.net.http.HttpClient;
        import java.net.http.HttpRequest;
        import java.util.EnumSet;
        import org.eclipse.jetty.ee10.servlet.FilterHolder;
        import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

        class Propagation {
          %s
        }
        """);
  }
}
