package io.tether.junit5;

import java.util.concurrent.CountDownLatch;

/** How the samples' leftovers wait until the outer test releases them. */
final class Latches {

  private Latches() {}

  static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
