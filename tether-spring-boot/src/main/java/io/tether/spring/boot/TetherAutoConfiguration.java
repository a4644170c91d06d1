package io.tether.spring.boot;

import ch.qos.logback.classic.LoggerContext;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import io.tether.AsyncLocalStorage;
import io.tether.micrometer.TetherThreadLocalAccessor;
import io.tether.opentelemetry.TetherPropagation;
import io.tether.opentelemetry.TetherServletFilter;
import io.tether.slf4j.TetherMDC;
import jakarta.servlet.Filter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.task.TaskDecorator;
import reactor.core.publisher.Hooks;

/**
 * Spring Boot auto-configuration for Tether; each part is on when its libraries are on the class
 * path and its property does not switch it off:
 *
 * <ul>
 *   <li>{@code tether.mdc.enabled} (default {@code true}): Logback's MDC kept in Tether's context
 *       ({@link TetherMDC#install()}), with tether-slf4j and Logback present.
 *   <li>{@code tether.task-decorator.enabled} (default {@code true}): a {@link TetherTaskDecorator}
 *       bean, which Spring Boot applies to the executors and schedulers it builds ({@code
 *       applicationTaskExecutor}, {@code taskScheduler}), so that {@code @Async} methods, executor
 *       tasks and scheduled tasks run in their submitter's context. Only without the Tether agent
 *       (the agent links them itself); on Spring Boot 3 only when the application has no {@code
 *       TaskDecorator} bean of its own (see {@link SingleTaskDecoratorCondition}).
 *   <li>{@code tether.reactor.enabled} (default {@code true}): Reactor's automatic context
 *       propagation, carrying the application's {@code AsyncLocalStorage} beans and {@code
 *       TetherThreadLocalAccessor} beans ({@link TetherReactorPropagation}), with Reactor,
 *       context-propagation and tether-micrometer present.
 *   <li>{@code tether.w3c.enabled} (default {@code false}): in a servlet web application, the
 *       {@link TetherServletFilter} in front of every request, which runs it in the context its
 *       {@code traceparent} and {@code baggage} headers carry, with tether-opentelemetry present.
 *       The storages that travel as baggage are those of the application's {@link
 *       TetherPropagation} bean (none unless it defines one).
 * </ul>
 */
@AutoConfiguration
public class TetherAutoConfiguration {

  /** The prefix of every property here. */
  public static final String PREFIX = "tether";

  /** Created by Spring. */
  public TetherAutoConfiguration() {}

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({TetherMDC.class, LoggerContext.class})
  @ConditionalOnProperty(
      prefix = PREFIX + ".mdc",
      name = "enabled",
      havingValue = "true",
      matchIfMissing = true)
  static class MdcConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TetherMdcInstallation tetherMdcInstallation() {
      return TetherMdcInstallation.install();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(TaskDecorator.class)
  @ConditionalOnProperty(
      prefix = PREFIX + ".task-decorator",
      name = "enabled",
      havingValue = "true",
      matchIfMissing = true)
  @Conditional(TetherAgentCondition.class)
  static class TaskDecoratorConfiguration {

    @Bean
    @Conditional(SingleTaskDecoratorCondition.class)
    TetherTaskDecorator tetherTaskDecorator() {
      return new TetherTaskDecorator();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({Hooks.class, ContextRegistry.class, TetherThreadLocalAccessor.class})
  @ConditionalOnProperty(
      prefix = PREFIX + ".reactor",
      name = "enabled",
      havingValue = "true",
      matchIfMissing = true)
  static class ReactorConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TetherReactorPropagation tetherReactorPropagation(
        ObjectProvider<AsyncLocalStorage<?>> storages,
        ObjectProvider<TetherThreadLocalAccessor<?>> accessors) {
      // By key: a storage that also has an accessor bean is registered once, with that accessor.
      Map<Object, ThreadLocalAccessor<?>> byKey = new LinkedHashMap<>();
      storages
          .orderedStream()
          .filter(storage -> !storage.name().isEmpty())
          .forEach(storage -> byKey.put(storage.name(), TetherThreadLocalAccessor.of(storage)));
      accessors.orderedStream().forEach(accessor -> byKey.put(accessor.key(), accessor));
      return new TetherReactorPropagation(new ArrayList<>(byKey.values()));
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({TetherServletFilter.class, Filter.class, FilterRegistrationBean.class})
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnProperty(prefix = PREFIX + ".w3c", name = "enabled", havingValue = "true")
  static class W3cConfiguration {

    /** Runs before Spring's own filters, so that they and everything after see the context. */
    static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    @Bean
    @ConditionalOnMissingBean
    TetherPropagation tetherPropagation() {
      return TetherPropagation.builder().build();
    }

    @Bean
    FilterRegistrationBean<TetherServletFilter> tetherW3cFilter(TetherPropagation propagation) {
      FilterRegistrationBean<TetherServletFilter> registration =
          new FilterRegistrationBean<>(new TetherServletFilter(propagation));
      registration.setName("tetherW3cFilter");
      registration.setOrder(ORDER);
      registration.setUrlPatterns(List.of("/*"));
      return registration;
    }
  }
}
