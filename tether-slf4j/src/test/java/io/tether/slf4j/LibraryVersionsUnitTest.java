package io.tether.slf4j;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Context;
import io.tether.testing.LibraryVersions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * The build runs these tests on two Logback and SLF4J versions: each run is on the one it names.
 */
@Timeout(10)
class LibraryVersionsUnitTest {

  @Test
  void logback_isTheVersionThisRunNames() {
    LibraryVersions.assertRunsOn("tether.test.logback.version", LoggerContext.class, Context.class);
  }

  @Test
  void slf4j_isTheVersionThisRunNames() {
    LibraryVersions.assertRunsOn("tether.test.slf4j.version", MDC.class);
  }
}
