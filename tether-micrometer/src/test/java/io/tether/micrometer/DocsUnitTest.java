package io.tether.micrometer;

import io.tether.testing.DocBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Reactor block of docs/integrations.md compiles against tether-micrometer and Reactor. */
@Timeout(120)
class DocsUnitTest {

  @Test
  void reactor_compiles() {
    DocBlocks.compile(
        "integrations-reactor",
        """
        import io.micrometer.context.ContextRegistry;
        import io.tether.AsyncLocalStorage;
        import io.tether.micrometer.TetherThreadLocalAccessor;
        import reactor.core.publisher.Flux;
        import reactor.core.publisher.Hooks;
        import reactor.core.publisher.Mono;
        import reactor.core.scheduler.Schedulers;
        import reactor.util.context.Context;

        class Requests {
          %s
        }
        """);
  }
}
