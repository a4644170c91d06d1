package io.tether.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tether.slf4j.TetherMDC;
import io.tether.testing.NoContextLeft;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.task.TaskDecorator;

/**
 * {@code tether.task-decorator.enabled=false}, without the agent: no decorator, and the MDC a
 * request set no longer reaches its async work (the MDC itself is still Tether's). What makes
 * {@link MvcPropagationTest} pass is the decorator.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MvcWithoutTaskDecoratorTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = new NoContextLeft();

  @AfterEach
  void noMdcLeft() {
    assertThat(TetherMDC.current()).as("the test thread's MDC").isEmpty();
  }

  @Test
  void decoratorDisabled_asyncWorkRunsWithoutTheRequestsContext() {
    try (ConfigurableApplicationContext app =
            MvcApp.start("tether.task-decorator.enabled=false", "test.requests=2");
        LogLines log = LogLines.capture()) {
      assertThat(app.getBeansOfType(TaskDecorator.class)).isEmpty();
      assertThat(app.getBeansOfType(TetherMdcInstallation.class)).hasSize(1);

      Http.getConcurrently(Http.base(app), "/work?id=", List.of("r-1", "r-2"));

      assertThat(log.lines("request"))
          .extracting(e -> e.getMDCPropertyMap().get("requestId"))
          .containsExactlyInAnyOrder("r-1", "r-2");
      for (String kind : List.of("async", "executor", "scheduler")) {
        List<ILoggingEvent> lines = log.lines(kind);
        assertThat(lines).as("%s lines", kind).hasSize(2);
        assertThat(lines)
            .as("%s lines' requestId", kind)
            .extracting(e -> e.getMDCPropertyMap().get("requestId"))
            .containsOnlyNulls();
      }
    }
  }
}
