package io.tether.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncHooks;
import io.tether.AsyncResource;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoContextLeft.class)
@Timeout(30)
class RecordingHookTest {

  @Test
  void recordsEachEventAsText_inOrder_untilClosed() {
    RecordingHook recorder = new RecordingHook().enable();
    try (recorder) {
      AsyncResource resource = new AsyncResource("RECORDED");
      resource.runInAsyncScope(() -> null);
      resource.emitDestroy();
      long id = resource.asyncId();

      assertThat(recorder.awaitDestroy(id)).isTrue();
      assertThat(recorder.events())
          .containsSubsequence(
              "init " + id + " RECORDED " + AsyncHooks.executionAsyncId(),
              "before " + id,
              "after " + id,
              "destroy " + id);
      assertThat(recorder.eventsOf(id)).containsExactly("init", "before", "after", "destroy");
      assertThat(recorder.idsOfType("RECORDED")).containsExactly(id);
      assertThat(recorder.triggerOf(id)).isEqualTo(AsyncHooks.executionAsyncId());
      assertThat(recorder.triggerOf(-5)).isEqualTo(RecordingHook.NO_INIT);
    }
    new AsyncResource("RECORDED");
    assertThat(recorder.idsOfType("RECORDED")).hasSize(1);
  }

  @Test
  void idsOfTypeFromThisThread_leavesOutWhatOtherThreadsLinked() throws Exception {
    try (RecordingHook recorder = new RecordingHook().enable()) {
      long here = new AsyncResource("LINKED").asyncId();
      CompletableFuture<Long> there = new CompletableFuture<>();
      Thread other = new Thread(() -> there.complete(new AsyncResource("LINKED").asyncId()));
      other.start();
      long elsewhere = Waits.join(there);
      other.join(Waits.TIMEOUT.toMillis());

      assertThat(recorder.idsOfType("LINKED")).containsExactly(here, elsewhere);
      assertThat(recorder.idsOfTypeFromThisThread("LINKED")).containsExactly(here);
    }
  }

  @Test
  void awaitDestroy_neverDestroyed_isFalseAfterTheTimeout_andDisabledRecordsNothing() {
    RecordingHook recorder = new RecordingHook();
    long unseen = new AsyncResource("UNSEEN").asyncId();
    assertThat(recorder.eventsOf(unseen)).isEmpty();

    recorder.enable();
    try {
      AsyncResource kept = new AsyncResource("KEPT");
      assertThat(recorder.awaitDestroy(kept.asyncId(), 50)).isFalse();
      kept.emitDestroy();
      assertThat(recorder.awaitDestroy(kept.asyncId())).isTrue();
      assertThat(recorder.hook().isEnabled()).isTrue();
    } finally {
      recorder.disable();
    }
    assertThat(recorder.hook().isEnabled()).isFalse();
  }
}
