package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Virtual threads parking while they cross the agent's boundaries (pool hops, futures, their own
 * start and run) are never pinned to their carrier in Tether's code: JFR's {@code
 * jdk.VirtualThreadPinned} events are recorded with no threshold during the work, and none may have
 * a Tether frame on its stack. A class initializer that parks, which does pin, shows the recording
 * sees pinning at all.
 */
@ExtendWith(AgentAttached.class)
@Timeout(120)
class VirtualThreadPinningTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  /** Parks in its static initializer: a virtual thread initialising it is pinned. */
  static final class PinsInInitializer {
    static {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }

    static void touch() {}
  }

  /** A pinned event whose stack passes through Tether's own code (not these tests'). */
  private static boolean throughTether(RecordedEvent event) {
    return event.getStackTrace() != null
        && event.getStackTrace().getFrames().stream()
            .map(f -> f.getMethod().getType().getName())
            .anyMatch(
                type -> type.startsWith("io.tether.") && !type.startsWith("io.tether.agent."));
  }

  private static boolean fromControl(RecordedEvent event) {
    return event.getStackTrace() != null
        && event.getStackTrace().getFrames().stream()
            .map(RecordedFrame::getMethod)
            .anyMatch(m -> m.getType().getName().contains("PinsInInitializer"));
  }

  @Test
  void virtualThreadsParkingAcrossBoundaries_areNotPinnedByTether() throws Exception {
    List<RecordedEvent> pinned = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (RecordingStream recording = new RecordingStream()) {
      recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      recording.onEvent("jdk.VirtualThreadPinned", pinned::add);
      recording.startAsync();

      Thread.startVirtualThread(PinsInInitializer::touch).join();
      try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
          String ctx = "r" + i;
          futures.add(
              REQUEST.run(
                  ctx,
                  () ->
                      vts.submit(
                          () -> {
                            LockSupport.parkNanos(100_000);
                            String hopped =
                                pool.submit(REQUEST::getStore).get(30, TimeUnit.SECONDS);
                            String staged =
                                CompletableFuture.supplyAsync(REQUEST::getStore, pool)
                                    .thenApply(s -> s + "/" + REQUEST.getStore())
                                    .join();
                            return hopped + " " + staged;
                          })));
        }
        for (int i = 0; i < futures.size(); i++) {
          assertThat(futures.get(i).get(60, TimeUnit.SECONDS))
              .isEqualTo("r" + i + " r" + i + "/r" + i);
        }
      }
      recording.stop();
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(pinned)
        .as("the recording sees pinning (the control)")
        .anyMatch(VirtualThreadPinningTest::fromControl);
    // The JDK may pin a virtual thread on its own (contended class loading while many virtual
    // threads first touch a class); none may be pinned in Tether's code.
    assertThat(
            pinned.stream()
                .filter(VirtualThreadPinningTest::throughTether)
                .map(RecordedEvent::toString))
        .as("virtual threads pinned in Tether's code")
        .isEmpty();
  }
}
