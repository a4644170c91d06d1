package io.tether.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.tether.AsyncLocalStorage;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Loopback servers for the cross-service tests, and what their handlers saw, as text. */
final class Services {

  /** Travels between services. */
  static final AsyncLocalStorage<String> TENANT = new AsyncLocalStorage<>("tenant");

  /** Never chosen: an incoming {@code role} entry must not reach it. */
  static final AsyncLocalStorage<String> ROLE = new AsyncLocalStorage<>("role");

  private Services() {}

  /** A started server and how to stop it. */
  interface Running extends AutoCloseable {
    URI uri();

    @Override
    void close();
  }

  /** A JDK {@code HttpServer} on 127.0.0.1, its handler behind the propagation's filter. */
  static Running jdkServer(TetherPropagation propagation, Callable<String> body)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    HttpHandler handler = exchange -> respond(exchange, body);
    server.createContext("/", handler).getFilters().add(propagation.httpServerFilter());
    server.start(); // default executor: the one dispatcher thread handles every exchange
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    return new Running() {
      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public void close() {
        server.stop(0);
      }
    };
  }

  /**
   * An embedded Jetty (ee10 servlets) on 127.0.0.1, its servlet behind {@link TetherServletFilter}.
   */
  static Running jettyServer(TetherPropagation propagation, Callable<String> body)
      throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(
        new FilterHolder(new TetherServletFilter(propagation)),
        "/*",
        EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(
        new ServletHolder(
            new HttpServlet() {
              private static final long serialVersionUID = 1L;

              @Override
              protected void doGet(HttpServletRequest req, HttpServletResponse resp)
                  throws IOException {
                String text;
                try {
                  text = body.call();
                } catch (Exception e) {
                  throw new IOException(e);
                }
                resp.setContentType("text/plain;charset=utf-8");
                resp.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
              }
            }),
        "/*");
    server.setHandler(context);
    server.start();
    URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    return new Running() {
      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public void close() {
        try {
          server.stop();
        } catch (Exception e) {
          throw new IllegalStateException("Jetty did not stop", e);
        }
      }
    };
  }

  /** What a handler sees of its context, as {@code key=value} pairs separated by {@code ;}. */
  static String seen() {
    SpanContext span = Span.current().getSpanContext();
    return "tenant="
        + TENANT.getStore()
        + ";role="
        + ROLE.getStore()
        + ";traceValid="
        + span.isValid()
        + ";trace="
        + span.getTraceId()
        + ";span="
        + span.getSpanId()
        + ";baggage="
        + String.join(",", new TreeSet<>(Baggage.current().asMap().keySet()))
        + ";thread="
        + Thread.currentThread().getName();
  }

  /** The pairs of {@link #seen()}, prefixed keys included. */
  static Map<String, String> parse(String text) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String pair : text.split(";")) {
      int eq = pair.indexOf('=');
      assertThat(eq).as("pair %s in %s", pair, text).isPositive();
      map.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return map;
  }

  private static void respond(HttpExchange exchange, Callable<String> body) throws IOException {
    byte[] bytes;
    int status = 200;
    try {
      bytes = body.call().getBytes(StandardCharsets.UTF_8);
    } catch (Exception e) {
      status = 500;
      bytes = String.valueOf(e).getBytes(StandardCharsets.UTF_8);
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
