package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncResource;
import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where resources watched for their destroy are held ({@link DestroyWatch.Held}, one of the test's
 * own, swept by the test): in their slot first, by a watch once they outlive it, let go when done.
 */
@Timeout(30)
class DestroyWatchTest {

  private final DestroyWatch.Held held = new DestroyWatch.Held(2);

  @Test
  void liveResource_isHeldInItsSlot_thenByAWatchAlone_soItCanBeCollected() throws Exception {
    DestroyWatch.Chunk chunk = held.newChunk();
    WeakReference<ResourceCore> ref = addAndForget(chunk);
    held.sweep(false);
    held.sweep(false);
    assertThat(held.holds(ref.get())).as("in its slot for two sweeps").isTrue();
    assertThat(awaitCollected(ref, 200)).as("kept alive by its slot").isFalse();

    held.sweep(false); // two sweeps old: watched, out of its slot
    assertThat(held.held()).as("watched").isEqualTo(1);
    assertThat(awaitCollected(ref, 10_000)).as("collectable once watched").isTrue();
  }

  @Test
  void doneResource_isLetGoAtOnce() {
    DestroyWatch.Chunk chunk = held.newChunk();
    ResourceCore r = new AsyncResource("watched");
    int slot = chunk.add(r);
    chunk.setDone(slot);
    assertThat(held.holds(r)).isFalse();
    for (int i = 0; i < 3; i++) {
      held.sweep(true);
    }
    assertThat(held.held()).isZero();
    assertThat(held.unswept()).isZero();
  }

  @Test
  void seeOutAll_watchesEveryLiveResourceWhateverItsAge() {
    DestroyWatch.Chunk chunk = held.newChunk();
    ResourceCore r = new AsyncResource("watched");
    chunk.add(r);
    held.seeOutAll();
    assertThat(held.holds(r)).as("watched").isTrue();
    assertThat(held.unswept()).as("out of its slot").isZero();
  }

  @Test
  void chunkOfAnEndedThread_isDroppedOnceItsResourcesAreDone() throws Exception {
    ResourceCore[] resources = {new AsyncResource("a"), new AsyncResource("b")};
    DestroyWatch.Chunk[] chunk = new DestroyWatch.Chunk[1];
    int[] slots = new int[2];
    Thread owner =
        new Thread(
            () -> {
              chunk[0] = held.newChunk();
              slots[0] = chunk[0].add(resources[0]);
              slots[1] = chunk[0].add(resources[1]);
            });
    owner.start();
    owner.join();
    chunk[0].setDone(slots[0]);
    held.sweep(false);
    assertThat(held.chunks()).as("a resource not done yet").isEqualTo(1);

    chunk[0].setDone(slots[1]);
    held.sweep(false);
    assertThat(held.chunks()).as("complete: its thread ended; all done").isZero();
  }

  @Test
  void partChunkOfALiveThread_isKept_butItsSlotsAreSeenOut() {
    DestroyWatch.Chunk chunk = held.newChunk();
    ResourceCore r = new AsyncResource("watched");
    chunk.setDone(chunk.add(r));
    for (int i = 0; i < 3; i++) {
      held.sweep(false);
    }
    assertThat(held.unswept()).isZero();
    assertThat(held.chunks()).as("its thread may fill it yet").isEqualTo(1);
  }

  @Test
  void fullChunk_refusesASlot() {
    DestroyWatch.Chunk chunk = held.newChunk();
    for (int i = 0; i < DestroyWatch.CHUNK; i++) {
      assertThat(chunk.add(new AsyncResource("watched"))).isEqualTo(i);
    }
    assertThat(chunk.next()).isEqualTo(-1);
  }

  @Test
  void ageIsZeroToTwoSweeps() {
    assertThatThrownBy(() -> new DestroyWatch.Held(3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("age must be 0 to 2 sweeps, was 3");
  }

  private static WeakReference<ResourceCore> addAndForget(DestroyWatch.Chunk chunk) {
    ResourceCore r = new AsyncResource("watched");
    chunk.add(r);
    return new WeakReference<>(r);
  }

  /** Collects until {@code ref} is cleared or {@code millis} pass: whether it was. */
  private static boolean awaitCollected(WeakReference<?> ref, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (ref.get() != null && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(10);
    }
    return ref.get() == null;
  }
}
