package io.tether.opentelemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.tether.testing.LibraryVersions;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The build runs these tests on two OpenTelemetry versions and two Jetty versions: each run is on
 * the ones it names.
 */
@Timeout(10)
class LibraryVersionsUnitTest {

  @Test
  void openTelemetry_isTheVersionThisRunNames() {
    LibraryVersions.assertRunsOn(
        "tether.test.opentelemetry.version", Context.class, Span.class, SdkTracerProvider.class);
  }

  @Test
  void jetty_isTheVersionThisRunNames() {
    LibraryVersions.assertRunsOn(
        "tether.test.jetty.version", Server.class, ServletContextHandler.class);
  }
}
