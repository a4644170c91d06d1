package io.tether.spring.boot;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.tether.testing.Waits;
import jakarta.servlet.Filter;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring MVC application (Tomcat) whose requests log from async work: an {@code @Async} method, a
 * task on Spring Boot's {@code applicationTaskExecutor}, a task on its {@code taskScheduler}. A
 * filter puts the request's {@code id} parameter in the MDC ({@code requestId}) with plain SLF4J
 * calls; each line names the id it should carry as its first argument.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableAsync
@EnableScheduling
@Import({MvcApp.Work.class, MvcApp.Controller.class})
class MvcApp {

  static final Logger log = LoggerFactory.getLogger(LogLines.LOGGER);

  /** Starts the application on 127.0.0.1, a free port, with {@code properties} added. */
  static ConfigurableApplicationContext start(String... properties) {
    return start(new Class<?>[0], properties);
  }

  /** Starts the application with {@code more} configuration classes. */
  static ConfigurableApplicationContext start(Class<?>[] more, String... properties) {
    return new SpringApplicationBuilder(MvcApp.class)
        .sources(more)
        .web(WebApplicationType.SERVLET)
        .properties("server.address=127.0.0.1", "server.port=0", "logging.level.root=WARN")
        .properties(properties)
        .run();
  }

  /** Every request waits here until all the test's requests are in flight (test.requests). */
  @Bean
  CountDownLatch allRequestsArrived(@Value("${test.requests:1}") int requests) {
    return new CountDownLatch(requests);
  }

  @Bean
  Filter requestIdFilter() {
    return (request, response, chain) -> {
      String id = request.getParameter("id");
      MDC.put("requestId", id);
      try {
        chain.doFilter(request, response);
      } finally {
        MDC.remove("requestId");
      }
    };
  }

  /** The {@code @Async} method. */
  static class Work {
    @Async
    public CompletableFuture<String> async(String id) {
      log.info("async {}", id);
      return CompletableFuture.completedFuture(traceAndBaggage());
    }
  }

  @RestController
  static class Controller {
    private final Work work;
    private final ThreadPoolTaskExecutor executor;
    private final ThreadPoolTaskScheduler scheduler;
    private final CountDownLatch allRequestsArrived;

    Controller(
        Work work,
        @Qualifier("applicationTaskExecutor") ThreadPoolTaskExecutor executor,
        ThreadPoolTaskScheduler scheduler,
        CountDownLatch allRequestsArrived) {
      this.work = work;
      this.executor = executor;
      this.scheduler = scheduler;
      this.allRequestsArrived = allRequestsArrived;
    }

    /** Logs from the three kinds of async work; answers once all three have run. */
    @GetMapping("/work")
    String work(@RequestParam("id") String id) {
      allRequestsArrived.countDown();
      Waits.await(allRequestsArrived);
      log.info("request {}", id);
      CompletableFuture<String> async = work.async(id);
      CompletableFuture<Void> task = new CompletableFuture<>();
      executor.execute(
          () -> {
            log.info("executor {}", id);
            task.complete(null);
          });
      CompletableFuture<Void> scheduled = new CompletableFuture<>();
      scheduler.schedule(
          () -> {
            log.info("scheduler {}", id);
            scheduled.complete(null);
          },
          Instant.now());
      Waits.join(task);
      Waits.join(scheduled);
      return traceAndBaggage() + " " + Waits.join(async);
    }
  }

  /** The current OpenTelemetry trace id and {@code tenant} baggage entry, as "trace/tenant". */
  static String traceAndBaggage() {
    return Span.current().getSpanContext().getTraceId()
        + "/"
        + Baggage.current().getEntryValue("tenant")
        + "/"
        + W3cFilterTest.TENANT.getStore();
  }
}
