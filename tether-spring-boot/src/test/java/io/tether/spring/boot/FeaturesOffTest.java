package io.tether.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.slf4j.TetherMDC;
import io.tether.testing.NoContextLeft;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.task.TaskDecorator;
import reactor.core.publisher.Hooks;

/**
 * Every property off: none of the beans, and nothing installed. A class of its own, since SLF4J's
 * MDC, once Tether's, stays Tether's for the JVM (the build runs each test class in a new JVM).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FeaturesOffTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = new NoContextLeft();

  @Test
  void everyPropertyOff_nothingConfigured() {
    try (ConfigurableApplicationContext app =
        MvcApp.start(
            "tether.mdc.enabled=false",
            "tether.task-decorator.enabled=false",
            "tether.reactor.enabled=false",
            "tether.w3c.enabled=false")) {
      assertThat(app.getBeansOfType(TetherMdcInstallation.class)).isEmpty();
      assertThat(app.getBeansOfType(TaskDecorator.class)).isEmpty();
      assertThat(app.getBeansOfType(TetherReactorPropagation.class)).isEmpty();
      assertThat(app.containsBean("tetherW3cFilter")).isFalse();
      assertThat(TetherMDC.isInstalled()).as("Tether's MDC").isFalse();
      assertThat(Hooks.isAutomaticContextPropagationEnabled()).isFalse();
    }
  }

  @Test
  void mdcOff_theMdcIsLogbacksOwnAndStaysOnItsThread() {
    try (ConfigurableApplicationContext app =
            MvcApp.start("tether.mdc.enabled=false", "test.requests=1");
        LogLines log = LogLines.capture()) {
      assertThat(app.getBeansOfType(TetherMdcInstallation.class)).isEmpty();
      assertThat(app.getBeansOfType(TaskDecorator.class)).hasSize(1);
      assertThat(TetherMDC.isInstalled()).isFalse();

      Http.get(Http.base(app) + "/work?id=r-1", java.util.Map.of());

      assertThat(log.lines("request"))
          .extracting(e -> e.getMDCPropertyMap().get("requestId"))
          .containsExactly("r-1");
      assertThat(log.lines("executor"))
          .extracting(e -> e.getMDCPropertyMap().get("requestId"))
          .containsOnlyNulls()
          .hasSize(1);
    }
  }
}
