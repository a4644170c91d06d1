package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LongRingTest {

  @Test
  void takesInOrder_refusesWhenFull_andGoesOnLapAfterLap() {
    LongRing ring = new LongRing(4);
    assertThat(ring.ready()).isFalse();
    for (long lap = 0; lap < 3; lap++) {
      for (int i = 0; i < 4; i++) {
        assertThat(ring.offer(lap * 10 + i)).isTrue();
      }
      assertThat(ring.offer(99)).as("full").isFalse();
      for (int i = 0; i < 4; i++) {
        assertThat(ring.ready()).isTrue();
        assertThat(ring.take()).isEqualTo(lap * 10 + i);
      }
      assertThat(ring.ready()).isFalse();
    }
  }

  @Test
  void sizeMustBeAPowerOfTwo() {
    assertThatThrownBy(() -> new LongRing(6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size must be a power of two, was 6");
  }

  @Test
  @Timeout(30)
  void producersAtOnce_everyValueTakenOnce_eachProducersInOrder() throws Exception {
    LongRing ring = new LongRing(64);
    int producers = 4;
    int each = 50_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      long base = (long) p << 32;
      Thread t =
          new Thread(
              () -> {
                Waits.await(start);
                for (int i = 0; i < each; i++) {
                  while (!ring.offer(base + i)) {
                    Thread.onSpinWait(); // full: the consumer below drains it
                  }
                }
              });
      t.start();
      threads.add(t);
    }
    start.countDown();
    long[] next = new long[producers];
    Set<Long> seen = new HashSet<>();
    for (int taken = 0; taken < producers * each; ) {
      if (!ring.ready()) {
        Thread.onSpinWait();
        continue;
      }
      long v = ring.take();
      int p = (int) (v >>> 32);
      assertThat(v & 0xffffffffL).as("producer %d's values in order", p).isEqualTo(next[p]);
      next[p]++;
      assertThat(seen.add(v)).isTrue();
      taken++;
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(ring.ready()).isFalse();
  }
}
