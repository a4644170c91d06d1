package io.tether.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncExecutors;
import io.tether.AsyncLocalStorage;
import io.tether.AsyncResource;
import io.tether.AsyncSnapshot;
import io.tether.CleanCoreState;
import io.tether.ContextLeak;
import io.tether.ContextLeakHandler;
import io.tether.ContextLeaks;
import io.tether.internal.Leaks;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The context leak detector without the agent: the holders the API makes (a snapshot, a bound
 * function, a periodic task of a wrapped scheduler). In an application package, so that the call
 * site found is this class's line. The clock is the test's: each check passes a time past the
 * threshold of an hour, so the detector's own sweeps, on real time, find nothing overdue meanwhile.
 */
@ExtendWith({NoContextLeft.class, CleanCoreState.class})
@Timeout(30)
class ContextLeaksTest {

  static final Duration THRESHOLD = Duration.ofHours(1);
  static final long LATER = THRESHOLD.toNanos() + TimeUnit.MINUTES.toNanos(1);

  /** A request's value: its type is reported, never the value itself. */
  static final class Credentials {
    final String secret;

    Credentials(String secret) {
      this.secret = secret;
    }

    @Override
    public String toString() {
      return secret;
    }
  }

  /** A long-lived holder of the application: a static field. */
  static AsyncSnapshot kept;

  /** Resources the application keeps after destroying them: they hold no context any more. */
  static final List<AsyncResource> ENDED = new CopyOnWriteArrayList<>();

  /** A long-lived listener list of the application. */
  static final List<Runnable> LISTENERS = new CopyOnWriteArrayList<>();

  private final AsyncLocalStorage<String> requestId = new AsyncLocalStorage<>("requestId");
  private final AsyncLocalStorage<Credentials> credentials = new AsyncLocalStorage<>();
  private final List<ContextLeak> handled = new CopyOnWriteArrayList<>();
  private final List<ExecutorService> pools = new ArrayList<>();
  private ContextLeakHandler previous;

  @BeforeEach
  void enable() {
    previous = ContextLeaks.setHandler(handled::add);
    ContextLeaks.enable(THRESHOLD);
  }

  @AfterEach
  void disable() throws InterruptedException {
    ContextLeaks.disable();
    ContextLeaks.setHandler(previous);
    kept = null;
    LISTENERS.clear();
    ENDED.clear();
    for (ExecutorService pool : pools) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static List<ContextLeak> checkLater() {
    return Leaks.checkAfterCollection(System.nanoTime() + LATER);
  }

  /** Runs {@code request} as a request: both storages set, the credentials a secret. */
  private void inRequest(String id, Runnable request) {
    requestId.run(id, () -> credentials.run(new Credentials("s3cr3t-" + id), request));
  }

  @Test
  void snapshot_keptInStaticField_isReportedOnceWithStoragesTypesAndCallSite() {
    inRequest("r-1", () -> kept = AsyncLocalStorage.snapshot()); // the capture: this line
    int line = new Throwable().getStackTrace()[0].getLineNumber() - 1;

    assertThat(Leaks.check(System.nanoTime())).as("not past the threshold yet").isEmpty();
    List<ContextLeak> leaks = checkLater();

    assertThat(leaks).hasSize(1);
    ContextLeak leak = leaks.get(0);
    assertThat(leak.holder()).isEqualTo(ContextLeak.Holder.SNAPSHOT);
    assertThat(leak.holderClass()).isEqualTo(AsyncSnapshot.class.getName());
    assertThat(leak.callSite())
        .startsWith(ContextLeaksTest.class.getName() + ".")
        .endsWith("(ContextLeaksTest.java:" + line + ")");
    assertThat(leak.held())
        .containsExactly(
            Map.entry("AsyncLocalStorage(requestId)", String.class.getName()),
            Map.entry(String.valueOf(credentials), Credentials.class.getName()));
    assertThat(leak.heldFor()).isGreaterThanOrEqualTo(THRESHOLD);
    assertThat(leak.message())
        .startsWith("[tether] context leak: snapshot io.tether.AsyncSnapshot, captured at ")
        .contains("AsyncLocalStorage(requestId)=java.lang.String")
        .doesNotContain("s3cr3t")
        .doesNotContain("r-1");
    assertThat(handled).containsExactly(leak);

    assertThat(checkLater()).as("reported once").isEmpty();
    assertThat(handled).hasSize(1);
  }

  @Test
  void boundCallback_inApplicationListenerList_isReportedAsListener() {
    inRequest("r-2", () -> LISTENERS.add(AsyncLocalStorage.bind(() -> {})));

    List<ContextLeak> leaks = checkLater();

    assertThat(leaks).hasSize(1);
    ContextLeak leak = leaks.get(0);
    assertThat(leak.holder()).isEqualTo(ContextLeak.Holder.LISTENER);
    assertThat(leak.holderClass()).startsWith(ContextLeaksTest.class.getName() + "$$Lambda");
    assertThat(leak.holderDetail()).isEqualTo("a function bound with bind");
    assertThat(leak.callSite())
        .startsWith(
            ContextLeaksTest.class.getName()
                + ".lambda$boundCallback_inApplicationListenerList_isReportedAsListener$");
    assertThat(leak.held())
        .containsEntry("AsyncLocalStorage(requestId)", String.class.getName())
        .containsEntry(String.valueOf(credentials), Credentials.class.getName());
  }

  @Test
  void periodicTask_ofWrappedScheduler_isReportedWhileScheduledAndForgottenOnceCancelled()
      throws Exception {
    ScheduledExecutorService scheduler =
        AsyncExecutors.wrap(Executors.newSingleThreadScheduledExecutor());
    pools.add(scheduler);
    CountDownLatch ran = new CountDownLatch(2);
    Runnable poll = new Poll(ran);
    List<ScheduledFuture<?>> scheduled = new ArrayList<>();
    inRequest(
        "r-3",
        () -> scheduled.add(scheduler.scheduleAtFixedRate(poll, 0, 1, TimeUnit.MILLISECONDS)));
    Waits.await(ran);

    List<ContextLeak> leaks = checkLater();

    assertThat(leaks).hasSize(1);
    ContextLeak leak = leaks.get(0);
    assertThat(leak.holder()).isEqualTo(ContextLeak.Holder.PERIODIC_TASK);
    assertThat(leak.holderClass()).isEqualTo(Poll.class.getName());
    assertThat(leak.callSite()).contains("periodicTask_ofWrappedScheduler_");
    assertThat(leak.held()).containsKey("AsyncLocalStorage(requestId)");

    scheduled.get(0).cancel(false);
    assertThat(checkLater()).isEmpty();
    assertThat(Leaks.watched()).as("the cancelled task is forgotten").isZero();
  }

  @Test
  void shortLivedWork_isNeverReported() throws Exception {
    ExecutorService pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));
    ScheduledExecutorService scheduler =
        AsyncExecutors.wrap(Executors.newSingleThreadScheduledExecutor());
    pools.add(pool);
    pools.add(scheduler);
    for (int i = 0; i < 200; i++) {
      String id = "r-" + i;
      CountDownLatch periodicRan = new CountDownLatch(1);
      List<ScheduledFuture<?>> periodic = new ArrayList<>();
      inRequest(
          id,
          () -> {
            // a hop to a pool, a one-shot timer, a snapshot and a bound function used and dropped,
            // a resource destroyed (and kept), a periodic task that ran and was cancelled
            Waits.join(pool.submit(() -> assertThat(requestId.getStore()).isEqualTo(id)));
            Waits.join(scheduler.schedule(() -> requestId.getStore(), 1, TimeUnit.MILLISECONDS));
            assertThat(AsyncLocalStorage.snapshot().run(requestId::getStore)).isEqualTo(id);
            AsyncLocalStorage.bind((Runnable) () -> assertThat(requestId.getStore()).isEqualTo(id))
                .run();
            ENDED.add(new AsyncResource("REQUEST").emitDestroy()); // still reachable, but over
            periodic.add(
                scheduler.scheduleWithFixedDelay(
                    periodicRan::countDown, 0, 1, TimeUnit.MILLISECONDS));
          });
      Waits.await(periodicRan);
      periodic.get(0).cancel(false);
    }
    // A cancelled periodic task stays in the scheduler's queue until its next time comes and the
    // scheduler takes it: a task due after all of them has run once they are gone.
    Waits.join(scheduler.schedule(() -> {}, 20, TimeUnit.MILLISECONDS));

    assertThat(checkLater()).isEmpty();
    assertThat(handled).isEmpty();
    assertThat(Leaks.watched()).as("every capture forgotten").isZero();
  }

  @Test
  void emptyContext_isNeverWatched_soAnIntendedHolderIsRegisteredOutsideTheRequest() {
    AsyncSnapshot startup = AsyncLocalStorage.snapshot();
    inRequest("r-4", () -> startup.run(() -> kept = AsyncLocalStorage.snapshot()));

    assertThat(Leaks.watched()).isZero();
    assertThat(checkLater()).isEmpty();
  }

  @Test
  void handlerThatThrows_doesNotStopTheOtherReports() {
    ContextLeaks.setHandler(
        leak -> {
          handled.add(leak);
          throw new IllegalStateException("a broken handler");
        });
    inRequest("r-5", () -> kept = AsyncLocalStorage.snapshot());
    inRequest("r-6", () -> LISTENERS.add(AsyncLocalStorage.bind(() -> {})));

    assertThat(checkLater()).hasSize(2);
    assertThat(handled).hasSize(2);
  }

  @Test
  void disable_forgetsAndReportsNothing() {
    inRequest("r-7", () -> kept = AsyncLocalStorage.snapshot());
    assertThat(Leaks.watched()).isOne();

    ContextLeaks.disable();

    assertThat(ContextLeaks.isEnabled()).isFalse();
    assertThat(ContextLeaks.threshold()).isEqualTo(Duration.ZERO);
    assertThat(Leaks.watched()).isZero();
    assertThat(ContextLeaks.check()).isEmpty();
  }

  @Test
  void enable_rejectsANonPositiveThreshold() {
    assertThatThrownBy(() -> ContextLeaks.enable(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the context leak threshold must be positive, got PT0S");
  }

  @Test
  void parseThreshold_takesUnitsAndIsoAndNamesWhatWasWrong() {
    assertThat(Leaks.parseThreshold("30s", "x")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Leaks.parseThreshold("500ms", "x")).isEqualTo(Duration.ofMillis(500));
    assertThat(Leaks.parseThreshold("5m", "x")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Leaks.parseThreshold("1h", "x")).isEqualTo(Duration.ofHours(1));
    assertThat(Leaks.parseThreshold("PT2S", "x")).isEqualTo(Duration.ofSeconds(2));
    for (String bad : new String[] {"", "30", "0s", "-1s", "30x", "PT-1S", "Pxyz"}) {
      assertThatThrownBy(() -> Leaks.parseThreshold(bad, "-Dtether.leaks"))
          .hasMessage(
              "-Dtether.leaks takes a positive duration such as 30s, 500ms, 5m or 1h, got '"
                  + bad
                  + "'");
    }
  }

  @Test
  void enableFromProperty_turnsItOn_orStaysOffOnBadInput() {
    Leaks.enableFromProperty("2h");
    assertThat(ContextLeaks.threshold()).isEqualTo(Duration.ofHours(2));

    ContextLeaks.disable();
    Leaks.enableFromProperty("soon");
    assertThat(ContextLeaks.isEnabled()).isFalse();
  }

  /** A periodic task of the application. */
  static final class Poll implements Runnable {
    private final CountDownLatch ran;

    Poll(CountDownLatch ran) {
      this.ran = ran;
    }

    @Override
    public void run() {
      ran.countDown();
    }
  }
}
