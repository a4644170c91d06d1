package io.tether.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventEmitterTest {

  @Test
  void emit_noListener_returnsFalse() {
    assertThat(new EventEmitter().emit("close")).isFalse();
  }

  @Test
  void emit_severalListeners_callsThemInOrderOnTheEmittingThread() {
    List<String> calls = new ArrayList<>();
    Thread emitting = Thread.currentThread();
    EventEmitter emitter =
        new EventEmitter()
            .on("close", () -> calls.add("first " + (Thread.currentThread() == emitting)))
            .on("close", () -> calls.add("second"))
            .on("data", () -> calls.add("data"));

    assertThat(emitter.emit("close")).isTrue();
    assertThat(calls).containsExactly("first true", "second");
  }

  @Test
  void emit_listenerThrows_propagatesAndSkipsLaterListeners() {
    List<String> calls = new ArrayList<>();
    EventEmitter emitter =
        new EventEmitter()
            .on(
                "close",
                () -> {
                  throw new IllegalStateException("boom");
                })
            .on("close", () -> calls.add("second"));

    assertThatThrownBy(() -> emitter.emit("close")).hasMessage("boom");
    assertThat(calls).isEmpty();
  }
}
