package io.tether.opentelemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.tether.testing.LibraryVersions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The build runs these tests on two OpenTelemetry versions: each run is on the one it names. */
@Timeout(10)
class LibraryVersionsUnitTest {

  @Test
  void openTelemetry_isTheVersionThisRunNames() {
    LibraryVersions.assertRunsOn(
        "tether.test.opentelemetry.version", Context.class, Span.class, SdkTracerProvider.class);
  }
}
