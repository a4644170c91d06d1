package io.tether.micrometer;

import io.micrometer.context.ContextRegistry;
import io.tether.testing.LibraryVersions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

/**
 * The build runs these tests on two versions of context-propagation and of Reactor: each run is on
 * the ones it names.
 */
@Timeout(10)
class LibraryVersionsUnitTest {

  @Test
  void contextPropagation_isTheVersionThisRunNames() {
    LibraryVersions.assertRunsOn("tether.test.context-propagation.version", ContextRegistry.class);
  }

  @Test
  void reactor_isTheVersionThisRunNames() {
    LibraryVersions.assertRunsOn("tether.test.reactor.version", Flux.class);
  }
}
