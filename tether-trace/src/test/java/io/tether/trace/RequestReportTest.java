package io.tether.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncExecutors;
import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import io.tether.recorder.TetherJfr;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-request view of a JFR recording made with the request id on Tether's runs (without the
 * agent): two requests through a wrapped pool, a task and a dependent stage each, the slow one
 * spanning the fast one (it waits on a latch opened once the fast one's tasks are destroyed),
 * grouped by the id, slowest first, each with its waterfall and critical path.
 */
@Timeout(60)
class RequestReportTest {

  @TempDir Path dir;

  /**
   * One request: a task on the pool that waits for {@code gate}, then a dependent stage, which
   * waits until the first task is destroyed ({@code firstOver}), so that the stage's task is the
   * request's last resource and its critical path is both tasks.
   */
  private static CompletableFuture<String> request(
      AsyncLocalStorage<String> requestId,
      ExecutorService pool,
      String id,
      CountDownLatch gate,
      CountDownLatch firstOver) {
    return requestId.run(
        id,
        () ->
            CompletableFuture.supplyAsync(() -> await(gate, requestId.getStore()), pool)
                .thenApplyAsync(v -> await(firstOver, v + " done"), pool));
  }

  private static String await(CountDownLatch latch, String value) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return value;
  }

  /**
   * Records the two requests into {@code dir}, with the request id on the runs or without; also the
   * recording of HtmlReportBrowserTest's per-request page.
   */
  static Path record(Path dir, boolean withValues) throws Exception {
    Path file = dir.resolve(withValues ? "requests.jfr" : "plain.jfr");
    AsyncLocalStorage<String> requestId = new AsyncLocalStorage<>("requestId");
    ExecutorService pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));
    Set<Long> fastTasks = ConcurrentHashMap.newKeySet();
    CountDownLatch fastOver = new CountDownLatch(2);
    // Each request's first task, by its id, and the latch its destroy opens.
    Map<String, CountDownLatch> firstOver =
        Map.of("slow-1", new CountDownLatch(1), "fast-1", new CountDownLatch(1));
    Map<Long, CountDownLatch> firstTasks = new ConcurrentHashMap<>();
    Set<String> started = ConcurrentHashMap.newKeySet();
    AsyncHook watch = null;
    TetherJfr jfr = withValues ? TetherJfr.enable(requestId) : TetherJfr.enable();
    try (Recording recording = new Recording(jdk.jfr.Configuration.getConfiguration("default"))) {
      recording.start();
      // Enabled after the recording started, so after TetherJfr's hook: a destroy reaches this
      // one once its JFR event is committed.
      watch =
          AsyncHooks.createHook(
                  new AsyncHookCallbacks() {
                    @Override
                    public void init(long id, String type, long trigger, Object resource) {
                      String request = requestId.getStore();
                      if ("fast-1".equals(request)) {
                        fastTasks.add(id);
                      }
                      if (request != null && started.add(request)) {
                        firstTasks.put(id, firstOver.get(request));
                      }
                    }

                    @Override
                    public void destroy(long id) {
                      if (fastTasks.remove(id)) {
                        fastOver.countDown();
                      }
                      CountDownLatch first = firstTasks.remove(id);
                      if (first != null) {
                        first.countDown();
                      }
                    }
                  })
              .enable();
      CountDownLatch slowGate = new CountDownLatch(1);
      CompletableFuture<String> slow =
          request(requestId, pool, "slow-1", slowGate, firstOver.get("slow-1"));
      CompletableFuture<String> fast =
          request(requestId, pool, "fast-1", new CountDownLatch(0), firstOver.get("fast-1"));
      assertThat(fast.get(10, TimeUnit.SECONDS)).isEqualTo("fast-1 done");
      // The fast request's future completes inside its last task, before that task's after and
      // destroy: the slow one goes on once those came, so that it ends after it as it began before.
      assertThat(fastOver.await(10, TimeUnit.SECONDS)).as("the fast request's tasks over").isTrue();
      slowGate.countDown();
      assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("slow-1 done");
      pool.submit(() -> {}).get(10, TimeUnit.SECONDS);
      recording.stop();
      recording.dump(file);
    } finally {
      if (watch != null) {
        watch.disable();
      }
      jfr.close();
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(requestId.getStore()).isNull();
    return file;
  }

  @Test
  void requests_areGroupedByTheId_slowestFirst_withTheirCriticalPaths() throws Exception {
    Trace trace = Trace.read(record(dir, true));

    List<RequestReport.Request> requests = RequestReport.requests(trace, "requestId");

    assertThat(requests)
        .extracting(RequestReport.Request::value)
        .containsExactly("slow-1", "fast-1");
    RequestReport.Request slow = requests.get(0);
    assertThat(slow.duration()).isGreaterThan(requests.get(1).duration());
    // Without the agent, the wrapped pool's tasks: the supplier's, and the stage's, which the
    // supplier's completion submitted.
    assertThat(slow.rows())
        .extracting(row -> row.resource().type)
        .containsExactly("EXECUTOR_TASK", "EXECUTOR_TASK");
    // Every resource of the request ran with its id, or was linked by one that did.
    assertThat(slow.rows())
        .allMatch(
            row ->
                row.resource().value("requestId") == null
                    || row.resource().value("requestId").equals("slow-1"));
    // The critical path ends with the request's last event and goes up its triggers.
    List<Trace.Resource> path = slow.criticalPath();
    assertThat(path).hasSize(2);
    assertThat(path.get(path.size() - 1).end()).isEqualTo(slow.end());
    for (int i = 1; i < path.size(); i++) {
      assertThat(path.get(i).trigger).isEqualTo(path.get(i - 1).id);
    }
    assertThat(slow.rows().stream().filter(RequestReport.Row::critical).count())
        .isEqualTo(path.size());
    // The pool task waited in the queue (or not at all), then ran.
    RequestReport.Row task =
        slow.rows().stream()
            .filter(row -> row.resource().type.equals("EXECUTOR_TASK"))
            .findFirst()
            .orElseThrow();
    assertThat(task.segments())
        .extracting(RequestReport.Segment::phase)
        .endsWith(RequestReport.Phase.RUNNING);
  }

  @Test
  void page_showsEachRequestsWaterfall_small() throws Exception {
    Trace trace = Trace.read(record(dir, true));
    StringWriter page = new StringWriter();

    RequestReport.write(trace, "requestId", 10, page);

    String html = page.toString();
    assertThat(html)
        .contains("The slowest 2 of 2 requests by <code>requestId</code>")
        .contains("<h2 id=\"r0\">slow-1", "<h2 id=\"r1\">fast-1")
        .contains("<rect class=\"running\"", "class=\"row crit\"")
        .contains("<title>EXECUTOR_TASK asyncId ");
    assertThat(html.indexOf("slow-1")).isLessThan(html.indexOf("fast-1"));
    assertThat(html.length()).isLessThan(200_000);
  }

  @Test
  void aRecordingWithoutValues_saysHowToRecordThem() throws Exception {
    Trace trace = Trace.read(record(dir, false));
    assertThat(RequestReport.requests(trace, "requestId")).isEmpty();
    assertThatThrownBy(() -> RequestReport.write(trace, "requestId", 10, new StringWriter()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "plain.jfr has no storage values: record a JFR recording with the agent's"
                + " jfrContext=requestId (or flight=...,flightSlow=requestId:DURATION)");
  }
}
