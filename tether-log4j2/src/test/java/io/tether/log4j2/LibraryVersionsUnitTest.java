package io.tether.log4j2;

import io.tether.testing.LibraryVersions;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The build runs these tests on two Log4j versions: each run is on the one it names. */
@Timeout(10)
class LibraryVersionsUnitTest {

  @Test
  void log4j_isTheVersionThisRunNames() {
    LibraryVersions.assertRunsOn(
        "tether.test.log4j2.version", LogManager.class, LoggerContext.class);
  }
}
