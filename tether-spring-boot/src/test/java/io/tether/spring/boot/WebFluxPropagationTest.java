package io.tether.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.micrometer.context.ContextRegistry;
import io.tether.testing.NoContextLeft;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Hooks;

/**
 * Spring WebFlux without the agent: the id a filter writes into the Reactor {@code Context} is the
 * {@code AsyncLocalStorage}'s value in operators on other threads, through Reactor's automatic
 * context propagation and the accessor tether-spring-boot registered for the storage bean; each
 * request sees its own. With {@code tether.reactor.enabled=false} it does not.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebFluxPropagationTest {

  static final List<String> IDS = List.of("r-1", "r-2", "r-3");

  @RegisterExtension
  static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(WebFluxApp.REQUEST_ID);

  @AfterEach
  void nothingLeftInReactor() {
    assertThat(Hooks.isAutomaticContextPropagationEnabled())
        .as("automatic propagation after the application closed")
        .isFalse();
    assertThat(ContextRegistry.getInstance().getThreadLocalAccessors())
        .as("accessors after the application closed")
        .noneMatch(a -> a.key().equals("requestId"));
  }

  @Test
  void concurrentRequests_eachOperatorSeesItsOwnRequestId() {
    try (ConfigurableApplicationContext app = WebFluxApp.start("test.requests=" + IDS.size());
        LogLines log = LogLines.capture()) {
      assertThat(app.getBean(TetherReactorPropagation.class).keys()).containsExactly("requestId");
      assertThat(Hooks.isAutomaticContextPropagationEnabled()).isTrue();

      List<String> bodies = Http.getConcurrently(Http.base(app), "/reactive?id=", IDS);
      assertThat(bodies).containsExactly("done r-1", "done r-2", "done r-3");

      for (String kind : List.of("parallel", "elastic")) {
        List<ILoggingEvent> lines = log.lines(kind);
        assertThat(lines)
            .as("%s lines", kind)
            .extracting(e -> (String) e.getArgumentArray()[0])
            .containsExactlyInAnyOrderElementsOf(IDS);
        for (ILoggingEvent line : lines) {
          assertThat(line.getArgumentArray()[1])
              .as("REQUEST_ID in '%s' on %s", line.getFormattedMessage(), line.getThreadName())
              .isEqualTo(line.getArgumentArray()[0]);
          assertThat(line.getThreadName())
              .startsWith(kind.equals("parallel") ? "parallel-" : "boundedElastic-");
        }
      }
    }
  }

  @Test
  void reactorDisabled_operatorsOnOtherThreadsSeeNoId() {
    try (ConfigurableApplicationContext app =
            WebFluxApp.start("tether.reactor.enabled=false", "test.requests=2");
        LogLines log = LogLines.capture()) {
      assertThat(app.getBeansOfType(TetherReactorPropagation.class)).isEmpty();
      assertThat(Hooks.isAutomaticContextPropagationEnabled()).isFalse();

      Http.getConcurrently(Http.base(app), "/reactive?id=", List.of("r-1", "r-2"));

      assertThat(log.lines("parallel"))
          .hasSize(2)
          .extracting(e -> e.getArgumentArray()[1])
          .containsOnlyNulls();
    }
  }
}
