package io.tether.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.slf4j.TetherMDC;
import io.tether.testing.NoContextLeft;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootVersion;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;

/**
 * An application with a {@code TaskDecorator} of its own: Spring Boot 4 composes it with Tether's
 * (both apply); Spring Boot 3 would apply neither of two, so there Tether's backs off and the
 * application's own keeps working.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OwnTaskDecoratorTest {

  static final AtomicInteger DECORATED = new AtomicInteger();

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = new NoContextLeft();

  @Configuration(proxyBeanMethods = false)
  static class Own {
    @Bean
    TaskDecorator ownDecorator() {
      return task -> {
        DECORATED.incrementAndGet();
        return task;
      };
    }
  }

  @AfterEach
  void noMdcLeft() {
    assertThat(TetherMDC.current()).as("the test thread's MDC").isEmpty();
  }

  @Test
  void ownDecorator_composedOnSpringBoot4_keptAloneOnSpringBoot3() {
    boolean composes =
        SingleTaskDecoratorCondition.composesDecorators(SpringBootVersion.getVersion());
    try (ConfigurableApplicationContext app = MvcApp.start(new Class<?>[] {Own.class});
        LogLines log = LogLines.capture()) {
      assertThat(app.getBeansOfType(TetherTaskDecorator.class)).hasSize(composes ? 1 : 0);

      Http.getConcurrently(Http.base(app), "/work?id=", List.of("r-1"));

      assertThat(DECORATED.get()).as("tasks the application's decorator saw").isGreaterThan(0);
      assertThat(log.lines("executor"))
          .extracting(e -> e.getMDCPropertyMap().get("requestId"))
          .containsExactly(composes ? "r-1" : null);
    }
  }
}
