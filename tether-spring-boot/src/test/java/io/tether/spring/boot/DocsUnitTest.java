package io.tether.spring.boot;

import io.tether.testing.DocBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Spring Boot block of docs/integrations.md compiles against Spring Boot and WebFlux. */
@Timeout(120)
class DocsUnitTest {

  @Test
  void beans_compile() {
    DocBlocks.compile(
        "integrations-spring-boot",
        """
        import io.tether.AsyncLocalStorage;
        import io.tether.opentelemetry.TetherPropagation;
        import org.springframework.context.annotation.Bean;
        import org.springframework.context.annotation.Configuration;
        import org.springframework.web.server.WebFilter;
        import reactor.util.context.Context;

        @Configuration
        class RequestConfig {
          static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
          static final AsyncLocalStorage<String> TENANT = new AsyncLocalStorage<>("tenant");

          %s
        }
        """);
  }
}
