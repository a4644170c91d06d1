package io.tether.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncLocalStorage;
import io.tether.opentelemetry.TetherPropagation;
import io.tether.testing.NoContextLeft;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code tether.w3c.enabled=true}: the request runs in the trace its {@code traceparent} names and
 * with the baggage storages the application's {@link TetherPropagation} chose, in the handler and
 * in its {@code @Async} work (OpenTelemetry's context is a Tether storage, which the decorator
 * carries).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class W3cFilterTest {

  static final AsyncLocalStorage<String> TENANT = new AsyncLocalStorage<>("tenant");

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(TENANT);

  @Configuration(proxyBeanMethods = false)
  static class Tenant {
    @Bean
    TetherPropagation propagation() {
      return TetherPropagation.builder().baggage(TENANT).build();
    }
  }

  @Test
  void w3cEnabled_requestAndItsAsyncWorkRunInTheIncomingTraceAndBaggage() {
    try (ConfigurableApplicationContext app =
        MvcApp.start(new Class<?>[] {Tenant.class}, "tether.w3c.enabled=true")) {
      assertThat(app.getBean("tetherW3cFilter")).isInstanceOf(FilterRegistrationBean.class);

      String body =
          Http.get(
              Http.base(app) + "/work?id=r-1",
              Map.of("traceparent", TRACEPARENT, "baggage", "tenant=acme"));

      // the handler's "trace/baggage/storage", then its @Async method's
      String seen = TRACE_ID + "/acme/acme";
      assertThat(body).isEqualTo(seen + " " + seen);

      String withoutHeaders = Http.get(Http.base(app) + "/work?id=r-2", Map.of());
      String none = "00000000000000000000000000000000/null/null";
      assertThat(withoutHeaders).isEqualTo(none + " " + none);
    }
  }

  @Test
  void w3cByDefault_noFilter() {
    try (ConfigurableApplicationContext app = MvcApp.start()) {
      assertThat(app.containsBean("tetherW3cFilter")).isFalse();
      assertThat(app.getBeansOfType(TetherPropagation.class)).isEmpty();
      String body = Http.get(Http.base(app) + "/work?id=r-1", Map.of("traceparent", TRACEPARENT));
      assertThat(body).doesNotContain(TRACE_ID);
    }
  }
}
