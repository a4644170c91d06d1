package io.tether.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WaitsTest {

  @Test
  void await_openLatch_returns_interrupted_failsAndKeepsTheInterrupt() {
    CountDownLatch open = new CountDownLatch(0);
    Waits.await(open);

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Waits.await(new CountDownLatch(1)))
          .isInstanceOf(AssertionError.class)
          .hasMessage("interrupted waiting for a latch");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void join_givesTheResult_orFailsWithTheCause() {
    assertThat(Waits.join(CompletableFuture.supplyAsync(() -> "done"))).isEqualTo("done");

    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(() -> Waits.join(CompletableFuture.failedFuture(boom)))
        .isInstanceOf(AssertionError.class)
        .hasCause(boom);
    CompletableFuture<String> cancelled = new CompletableFuture<>();
    cancelled.cancel(false);
    assertThatThrownBy(() -> Waits.join(cancelled))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("no result");
  }

  @Test
  void awaitQuietly_returnsWhenReleased_orInterrupted() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
    Thread released = new Thread(() -> Waits.awaitQuietly(release));
    Thread blocked =
        new Thread(
            () -> {
              Waits.awaitQuietly(never);
              interrupted.complete(Thread.currentThread().isInterrupted());
            });
    released.start();
    blocked.start();
    release.countDown();
    blocked.interrupt();

    assertThat(Waits.join(interrupted)).as("interrupt status after an interrupt").isTrue();
    released.join(Waits.TIMEOUT.toMillis());
    blocked.join(Waits.TIMEOUT.toMillis());
    assertThat(released.isAlive()).isFalse();
    assertThat(blocked.isAlive()).isFalse();
  }
}
