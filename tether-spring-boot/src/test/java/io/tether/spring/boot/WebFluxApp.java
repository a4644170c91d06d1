package io.tether.spring.boot;

import io.tether.AsyncLocalStorage;
import io.tether.testing.Waits;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * A Spring WebFlux application (Reactor Netty) whose requests log from operators on Reactor's
 * parallel and bounded-elastic schedulers. A filter writes the request's {@code id} parameter into
 * the Reactor {@code Context} under {@code "requestId"}, the name of the {@link #REQUEST_ID} bean;
 * each line names the id it should see as its first argument, and what {@code
 * REQUEST_ID.getStore()} returned as its second.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(WebFluxApp.Controller.class)
class WebFluxApp {

  static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");

  static final Logger log = LoggerFactory.getLogger(LogLines.LOGGER);

  static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(WebFluxApp.class)
        .web(WebApplicationType.REACTIVE)
        .properties("server.address=127.0.0.1", "server.port=0", "logging.level.root=WARN")
        .properties(properties)
        .run();
  }

  /** The storage, as a bean: tether-spring-boot gives Reactor an accessor for it. */
  @Bean
  AsyncLocalStorage<String> requestIdStorage() {
    return REQUEST_ID;
  }

  /** Every request waits here until all the test's requests are in flight (test.requests). */
  @Bean
  CountDownLatch allRequestsArrived(@Value("${test.requests:1}") int requests) {
    return new CountDownLatch(requests);
  }

  @Bean
  WebFilter requestIdFilter() {
    return (exchange, chain) -> {
      String id = exchange.getRequest().getQueryParams().getFirst("id");
      return chain.filter(exchange).contextWrite(Context.of(REQUEST_ID.name(), id));
    };
  }

  @RestController
  static class Controller {
    private final CountDownLatch allRequestsArrived;

    Controller(CountDownLatch allRequestsArrived) {
      this.allRequestsArrived = allRequestsArrived;
    }

    @GetMapping("/reactive")
    Mono<String> reactive(@RequestParam("id") String id) {
      return Mono.fromCallable(
              () -> {
                allRequestsArrived.countDown();
                Waits.await(allRequestsArrived);
                return id;
              })
          .subscribeOn(Schedulers.boundedElastic())
          .publishOn(Schedulers.parallel())
          .map(
              v -> {
                log.info("parallel {} {}", id, REQUEST_ID.getStore());
                return v;
              })
          .flatMap(
              v ->
                  Mono.fromCallable(
                          () -> {
                            log.info("elastic {} {}", id, REQUEST_ID.getStore());
                            return "done " + id;
                          })
                      .subscribeOn(Schedulers.boundedElastic()));
    }
  }
}
