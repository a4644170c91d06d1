package io.tether.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextRegistry;
import io.tether.AsyncLocalStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * Reactor's automatic context propagation carries a Tether storage through scheduler hops, with no
 * agent attached: the accessor alone carries it.
 */
class ReactorPropagationUnitTest {

  private static final String KEY = "tether.requestId";
  private static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>(KEY);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String PROBE = "tether-leak-probe";

  /** Every value a scheduler thread held before or after one of its tasks; must stay empty. */
  private static final Queue<String> LEFT_ON_SCHEDULER_THREADS = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void enablePropagation() {
    ContextRegistry.getInstance()
        .registerThreadLocalAccessor(TetherThreadLocalAccessor.of(REQUEST_ID));
    Hooks.enableAutomaticContextPropagation();
    Schedulers.onScheduleHook(
        PROBE,
        task ->
            () -> {
              check("before");
              try {
                task.run();
              } finally {
                check("after");
              }
            });
  }

  private static void check(String when) {
    String leftover = REQUEST_ID.getStore();
    if (leftover != null) {
      LEFT_ON_SCHEDULER_THREADS.add(
          leftover + " " + when + " a task on " + Thread.currentThread().getName());
    }
  }

  @AfterAll
  static void disablePropagation() {
    Schedulers.resetOnScheduleHook(PROBE);
    Hooks.disableAutomaticContextPropagation();
    ContextRegistry.getInstance().removeThreadLocalAccessor(KEY);
  }

  @BeforeEach
  void startsClean() {
    LEFT_ON_SCHEDULER_THREADS.clear();
  }

  @AfterEach
  void leavesNoContext() {
    assertThat(REQUEST_ID.getStore()).isNull();
    // Visit every thread of the parallel scheduler: its workers are handed out round-robin.
    Scheduler parallel = Schedulers.parallel();
    int threads = Schedulers.DEFAULT_POOL_SIZE;
    List<Mono<String>> visits = new ArrayList<>();
    for (int i = 0; i < threads * 2; i++) {
      visits.add(
          Mono.fromCallable(() -> String.valueOf(REQUEST_ID.getStore())).subscribeOn(parallel));
    }
    assertThat(Flux.merge(visits).collectList().block(TIMEOUT)).containsOnly("null");
    assertThat(
            Mono.fromCallable(() -> String.valueOf(REQUEST_ID.getStore()))
                .subscribeOn(Schedulers.boundedElastic())
                .block(TIMEOUT))
        .isEqualTo("null");
    assertThat(LEFT_ON_SCHEDULER_THREADS).isEmpty();
  }

  /** A flux that hops through every kind of scheduler and records what each operator saw, where. */
  private static Flux<String> hoppingFlux(Queue<String> seen) {
    return Flux.range(1, 4)
        .subscribeOn(Schedulers.boundedElastic())
        .doOnNext(i -> record(seen, "subscribeOn"))
        .publishOn(Schedulers.parallel())
        .map(
            i -> {
              record(seen, "publishOn.map");
              return i;
            })
        .flatMap(
            i ->
                Mono.fromCallable(
                        () -> {
                          record(seen, "flatMap.fromCallable");
                          return i;
                        })
                    .subscribeOn(Schedulers.boundedElastic()))
        .map(
            i -> {
              record(seen, "flatMap.map");
              return String.valueOf(REQUEST_ID.getStore());
            });
  }

  private static void record(Queue<String> seen, String operator) {
    seen.add(operator + "=" + REQUEST_ID.getStore() + "@" + Thread.currentThread().getName());
  }

  @Test
  @Timeout(30)
  void run_aroundSubscription_isSeenInEveryOperator() {
    Queue<String> seen = new ConcurrentLinkedQueue<>();
    String testThread = Thread.currentThread().getName();

    List<String> results =
        REQUEST_ID.run(
            "r-1", () -> hoppingFlux(seen).contextCapture().collectList().block(TIMEOUT));

    assertThat(results).hasSize(4).containsOnly("r-1");
    assertThat(seen)
        .hasSize(16)
        .allSatisfy(s -> assertThat(s).contains("=r-1@").doesNotEndWith("@" + testThread));
    assertThat(seen).anySatisfy(s -> assertThat(s).startsWith("publishOn.map=r-1@parallel-"));
    assertThat(seen)
        .anySatisfy(s -> assertThat(s).startsWith("flatMap.fromCallable=r-1@boundedElastic-"));
  }

  @Test
  @Timeout(30)
  void block_capturesStorageWithoutContextCapture() {
    Queue<String> seen = new ConcurrentLinkedQueue<>();

    List<String> results =
        REQUEST_ID.run("r-2", () -> hoppingFlux(seen).collectList().block(TIMEOUT));

    assertThat(results).containsOnly("r-2");
    assertThat(seen).hasSize(16).allSatisfy(s -> assertThat(s).contains("=r-2@"));
  }

  @Test
  @Timeout(30)
  void contextWrite_valueInReactorContext_isSeenInEveryOperator() {
    Queue<String> seen = new ConcurrentLinkedQueue<>();

    List<String> results =
        hoppingFlux(seen).contextWrite(Context.of(KEY, "r-3")).collectList().block(TIMEOUT);

    assertThat(results).hasSize(4).containsOnly("r-3");
    assertThat(seen).hasSize(16).allSatisfy(s -> assertThat(s).contains("=r-3@"));
  }

  @Test
  @Timeout(30)
  void contextWrite_insideRun_winsForTheOperatorsItCovers() {
    List<String> results =
        REQUEST_ID.run(
            "outer",
            () ->
                Flux.range(1, 2)
                    .publishOn(Schedulers.parallel())
                    .map(i -> String.valueOf(REQUEST_ID.getStore()))
                    .contextWrite(Context.of(KEY, "inner"))
                    .contextCapture()
                    .collectList()
                    .block(TIMEOUT));

    assertThat(results).containsOnly("inner");
  }

  @Test
  @Timeout(30)
  void concurrentFlows_neverSeeEachOthersValues() throws Exception {
    int flows = 2;
    // Both flows wait here, on boundedElastic threads, so they are in flight at the same time.
    CyclicBarrier together = new CyclicBarrier(flows);
    ExecutorService subscribers = Executors.newFixedThreadPool(flows);
    try {
      List<Queue<String>> seen = new ArrayList<>();
      List<Future<List<String>>> results = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int f = 0; f < flows; f++) {
        Queue<String> flowSeen = new ConcurrentLinkedQueue<>();
        seen.add(flowSeen);
        String id = "flow-" + f;
        results.add(
            subscribers.submit(
                () -> {
                  start.await();
                  return REQUEST_ID.run(
                      id,
                      () ->
                          Flux.range(1, 8)
                              .publishOn(Schedulers.parallel())
                              .flatMap(
                                  i ->
                                      Mono.fromCallable(
                                              () -> {
                                                if (i == 1) {
                                                  together.await(10, TimeUnit.SECONDS);
                                                }
                                                record(flowSeen, "fromCallable");
                                                return i;
                                              })
                                          .subscribeOn(Schedulers.boundedElastic()))
                              .publishOn(Schedulers.parallel())
                              .map(
                                  i -> {
                                    record(flowSeen, "map");
                                    return String.valueOf(REQUEST_ID.getStore());
                                  })
                              .contextCapture()
                              .collectList()
                              .block(TIMEOUT));
                }));
      }
      start.countDown();

      for (int f = 0; f < flows; f++) {
        String id = "flow-" + f;
        assertThat(results.get(f).get(20, TimeUnit.SECONDS)).hasSize(8).containsOnly(id);
        assertThat(seen.get(f)).hasSize(16).allSatisfy(s -> assertThat(s).contains("=" + id + "@"));
      }
      assertThat(
              subscribers
                  .submit(() -> String.valueOf(REQUEST_ID.getStore()))
                  .get(10, TimeUnit.SECONDS))
          .isEqualTo("null");
    } finally {
      subscribers.shutdownNow();
    }
  }

  @Test
  @Timeout(30)
  void manyConcurrentFlows_eachSeesOnlyItsOwnValue() throws Exception {
    int flows = 32;
    ExecutorService subscribers = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int f = 0; f < flows; f++) {
        String id = "many-" + f;
        results.add(
            subscribers.submit(
                () ->
                    REQUEST_ID.run(
                        id,
                        () ->
                            hoppingFlux(new ConcurrentLinkedQueue<>())
                                .contextCapture()
                                .collectList()
                                .block(TIMEOUT))));
      }
      for (int f = 0; f < flows; f++) {
        assertThat(results.get(f).get(20, TimeUnit.SECONDS)).containsOnly("many-" + f);
      }
    } finally {
      subscribers.shutdownNow();
    }
    assertThat(LEFT_ON_SCHEDULER_THREADS).isEmpty();
  }
}
