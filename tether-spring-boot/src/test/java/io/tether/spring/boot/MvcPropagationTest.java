package io.tether.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tether.slf4j.TetherMDC;
import io.tether.testing.NoContextLeft;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Spring MVC without the agent, every feature at its default: the MDC a filter sets reaches the
 * lines logged by {@code @Async} methods, executor tasks and scheduler tasks, through the {@link
 * TetherTaskDecorator} Spring Boot applies, and each line carries its own request's id.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MvcPropagationTest {

  static final List<String> IDS = List.of("r-1", "r-2", "r-3");

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = new NoContextLeft();

  static ConfigurableApplicationContext app;
  static LogLines log;

  @BeforeAll
  static void start() {
    app = MvcApp.start("test.requests=" + IDS.size());
    log = LogLines.capture();
  }

  @AfterAll
  static void stop() {
    log.close();
    app.close();
  }

  @AfterEach
  void noMdcLeft() {
    assertThat(TetherMDC.current()).as("the test thread's MDC").isEmpty();
  }

  @Test
  void autoConfiguration_registersTheDecoratorAndInstallsTheMdc() {
    assertThat(app.getBeansOfType(TaskDecorator.class).values())
        .singleElement()
        .isInstanceOf(TetherTaskDecorator.class);
    assertThat(app.getBean(TetherMdcInstallation.class).isInstalled()).isTrue();
    assertThat(TetherMDC.isInstalled()).isTrue();
    assertThat(app.getBean("applicationTaskExecutor")).isInstanceOf(ThreadPoolTaskExecutor.class);
    assertThat(
            app.getBeanNamesForType(
                org.springframework.boot.web.servlet.FilterRegistrationBean.class))
        .as("the W3C filter is off unless configured")
        .doesNotContain("tetherW3cFilter");
  }

  @Test
  void concurrentRequests_eachAsyncLineCarriesItsOwnRequestId() {
    List<String> bodies = Http.getConcurrently(Http.base(app), "/work?id=", IDS);
    assertThat(bodies).hasSize(IDS.size());

    for (String kind : List.of("request", "async", "executor", "scheduler")) {
      List<ILoggingEvent> lines = log.lines(kind);
      assertThat(lines)
          .as("%s lines", kind)
          .extracting(e -> (String) e.getArgumentArray()[0])
          .containsExactlyInAnyOrderElementsOf(IDS);
      for (ILoggingEvent line : lines) {
        assertThat(line.getMDCPropertyMap().get("requestId"))
            .as(
                "requestId in the MDC of '%s' on %s",
                line.getFormattedMessage(), line.getThreadName())
            .isEqualTo(line.getArgumentArray()[0]);
        if (!kind.equals("request")) {
          assertThat(line.getThreadName())
              .as("the thread of '%s'", line.getFormattedMessage())
              .doesNotStartWith("http-");
        }
      }
    }
  }
}
