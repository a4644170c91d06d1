package io.tether.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import io.tether.AsyncResource;
import io.tether.testing.NoContextLeft;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.ObjectName;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flight recorder without the agent: dumps on demand, through JMX, for a root of work that
 * ended or still runs past the threshold (a clock the test moves), and on an uncaught exception;
 * each dump a {@code .jfr} file with Tether's events, read back with {@link RecordingFile}.
 */
@Timeout(60)
class TetherFlightTest {

  static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");

  @RegisterExtension
  static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST_ID).andNoThreadsLeft();

  @TempDir Path dir;

  private final AtomicLong clock = new AtomicLong();
  private final BlockingQueue<Path> dumps = new LinkedBlockingQueue<>();
  private TetherFlight flight;

  @AfterEach
  void close() {
    if (flight != null) {
      flight.close();
    }
  }

  private TetherFlight.Options options() {
    return new TetherFlight.Options()
        .directory(dir)
        .minInterval(Duration.ZERO)
        .clock(clock::get)
        .onDump(dumps::add);
  }

  private static List<RecordedEvent> events(Path file, String name) throws Exception {
    return RecordingFile.readAllEvents(file).stream()
        .filter(e -> e.getEventType().getName().equals(name))
        .toList();
  }

  private static List<String> initTypes(Path file) throws Exception {
    return events(file, JfrFormat.INIT).stream().map(e -> e.getString(JfrFormat.TYPE)).toList();
  }

  @Test
  void dump_onDemand_holdsTethersEvents_withoutStackTraces() throws Exception {
    flight = TetherFlight.start(options());
    AsyncResource resource = new AsyncResource("FLIGHT_TEST");
    resource.runInAsyncScope(() -> {});
    resource.emitDestroy();

    Path file = flight.dump("asked");

    assertThat(file.getFileName().toString())
        .matches(
            "tether-flight-" + ProcessHandle.current().pid() + "-\\d{8}-\\d{6}-\\d{3}-asked\\.jfr");
    assertThat(file.getParent()).isEqualTo(dir);
    List<RecordedEvent> inits =
        events(file, JfrFormat.INIT).stream()
            .filter(e -> e.getString(JfrFormat.TYPE).equals("FLIGHT_TEST"))
            .toList();
    assertThat(inits).hasSize(1);
    assertThat(inits.get(0).getStackTrace()).isNull();
    assertThat(events(file, JfrFormat.RUN))
        .anyMatch(e -> e.getLong(JfrFormat.ASYNC_ID) == resource.asyncId());
  }

  @Test
  void dump_throughJmx_writesTheFileNamed() throws Exception {
    flight = TetherFlight.start(options());
    new AsyncResource("FLIGHT_JMX").emitDestroy();
    Path file = dir.resolve("by-jmx.jfr");

    Object written =
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new ObjectName(TetherFlight.MBEAN_NAME),
                "dumpToFile",
                new Object[] {file.toString()},
                new String[] {String.class.getName()});

    assertThat(written).isEqualTo(file.toAbsolutePath().toString());
    assertThat(initTypes(file)).contains("FLIGHT_JMX");
  }

  @Test
  void slowRoot_isDumpedWhenItEnds_onceAndNotTheFastOne() throws Exception {
    flight = TetherFlight.start(options().slowRoots("requestId", Duration.ofSeconds(2)));
    AsyncResource fast = REQUEST_ID.run("fast-1", () -> new AsyncResource("REQUEST_WORK"));
    AsyncResource slow = REQUEST_ID.run("slow-1", () -> new AsyncResource("REQUEST_WORK"));
    assertThat(flight.getRootsInFlight()).isEqualTo(2);

    clock.addAndGet(Duration.ofMillis(1_500).toNanos());
    fast.runInAsyncScope(() -> {});
    awaitDestroyed(fast); // 1.5 s: under the threshold (destroy comes on Tether's own thread)
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    slow.runInAsyncScope(() -> {});
    slow.emitDestroy(); // 2.5 s: over it

    Path file = dumps.poll(30, TimeUnit.SECONDS);
    assertThat(file).as("a dump for the slow root").isNotNull();
    assertThat(file.getFileName().toString()).endsWith("-slow.jfr");
    // The recording carries the root's value on its runs.
    assertThat(events(file, JfrFormat.RUN))
        .anyMatch(
            e ->
                e.getLong(JfrFormat.ASYNC_ID) == slow.asyncId()
                    && "slow-1".equals(e.getString("requestId")));
    assertThat(flight.getRootsInFlight()).isZero();
    flight.checkRunningRoots();
    assertThat(dumps).isEmpty();
  }

  /** Emits the resource's destroy and waits until hooks got it (Tether's destroy thread). */
  private static void awaitDestroyed(AsyncResource resource) throws InterruptedException {
    CountDownLatch destroyed = new CountDownLatch(1);
    AsyncHook watch =
        AsyncHooks.createHook(
                new AsyncHookCallbacks() {
                  @Override
                  public void destroy(long asyncId) {
                    if (asyncId == resource.asyncId()) {
                      destroyed.countDown();
                    }
                  }
                })
            .enable();
    try {
      resource.emitDestroy();
      assertThat(destroyed.await(30, TimeUnit.SECONDS)).as("destroy delivered").isTrue();
    } finally {
      watch.disable();
    }
  }

  @Test
  void runningRoot_pastTheThreshold_isDumpedOnce() throws Exception {
    flight = TetherFlight.start(options().slowRoots("requestId", Duration.ofSeconds(2)));
    AsyncResource hanging = REQUEST_ID.run("hung-1", () -> new AsyncResource("REQUEST_WORK"));

    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    flight.checkRunningRoots();
    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    flight.checkRunningRoots();
    Path file = dumps.poll(30, TimeUnit.SECONDS);
    assertThat(file).as("a dump for the root still running").isNotNull();
    assertThat(file.getFileName().toString()).endsWith("-slow.jfr");

    clock.addAndGet(Duration.ofSeconds(5).toNanos());
    flight.checkRunningRoots();
    hanging.emitDestroy(); // ends, reported already
    flight.dump("marker"); // the dumper's queue is FIFO: a second slow dump would come first
    assertThat(dumps.poll(30, TimeUnit.SECONDS).getFileName().toString()).endsWith("-marker.jfr");
    assertThat(dumps).isEmpty();
  }

  @Test
  void uncaughtException_isDumpedOnTheDyingThread_thenGoesToThePreviousHandler() throws Exception {
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    AtomicReference<Throwable> handled = new AtomicReference<>();
    CountDownLatch previousCalled = new CountDownLatch(1);
    Thread.setDefaultUncaughtExceptionHandler(
        (t, e) -> {
          handled.set(e);
          previousCalled.countDown();
        });
    try {
      flight = TetherFlight.start(options());
      Thread failing =
          new Thread(
              () -> {
                throw new IllegalStateException("boom");
              },
              "failing-worker");
      failing.start();
      failing.join();

      assertThat(previousCalled.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(handled.get()).hasMessage("boom");
      Path file = dumps.poll(1, TimeUnit.SECONDS); // written before the handler ran
      assertThat(file).isNotNull();
      assertThat(file.getFileName().toString()).endsWith("-uncaught.jfr");
      flight.close();
      assertThat(Thread.getDefaultUncaughtExceptionHandler()).isNotSameAs(before).isNotNull();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }

  @Test
  void aSecondFlightRecording_isRefused_inOneLine() {
    flight = TetherFlight.start(options());
    assertThatThrownBy(() -> TetherFlight.start(options()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "a Tether flight recording runs already in this JVM (io.tether:type=FlightRecorder is"
                + " registered)");
  }

  @Test
  void badOptions_areNamed() {
    TetherFlight.Options options = new TetherFlight.Options();
    assertThatThrownBy(() -> options.maxAge(Duration.ZERO))
        .hasMessage("maxAge must be positive, was PT0S");
    assertThatThrownBy(() -> options.slowRoots("", Duration.ofSeconds(1)))
        .hasMessage("the root storage's name must not be empty");
    assertThatThrownBy(() -> options.minInterval(Duration.ofSeconds(-1)))
        .hasMessage("minInterval must not be negative, was PT-1S");
  }

  @Test
  void dump_toAMissingFolder_namesIt() {
    flight = TetherFlight.start(options());
    Path missing = dir.resolve("no-such-dir").resolve("x.jfr");
    assertThatThrownBy(() -> flight.dumpTo(missing))
        .hasMessage("no such folder: " + missing.getParent().toAbsolutePath());
  }
}
