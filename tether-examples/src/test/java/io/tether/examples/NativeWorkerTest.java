package io.tether.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JNI example: a native thread the JVM never started calls back, in the context of the Java
 * code that started the native work, with hook events around the callback.
 */
@Timeout(30)
class NativeWorkerTest {

  private static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

  @RegisterExtension
  static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST).andNoThreadsLeft();

  @BeforeAll
  static void loadLibrary() {
    NativeWorker.load(
        Path.of(System.getProperty("tether.native.lib", "target/native/libtethernative.so")));
  }

  @Test
  void callbackFromANativeThread_runsInTheContextThatStartedTheWork() throws Exception {
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    REQUEST.run(
        "request 1",
        () ->
            NativeWorker.submit(
                "select one",
                result ->
                    first.complete(
                        result
                            + " | "
                            + REQUEST.getStore()
                            + " | "
                            + Thread.currentThread().getName())));
    REQUEST.run(
        "request 2",
        () ->
            NativeWorker.submit(
                "select two",
                result ->
                    second.complete(
                        result
                            + " | "
                            + REQUEST.getStore()
                            + " | "
                            + Thread.currentThread().getName())));

    assertThat(first.get(10, TimeUnit.SECONDS))
        .matches("SELECT ONE \\| request 1 \\| native-worker-\\d+");
    assertThat(second.get(10, TimeUnit.SECONDS))
        .matches("SELECT TWO \\| request 2 \\| native-worker-\\d+");
  }

  @Test
  void nativeWork_isAnAsyncResource_withItsHookEvents() throws Exception {
    try (RecordingHook recorder = new RecordingHook().enable()) {
      CompletableFuture<Long> inCallback = new CompletableFuture<>();
      long starter = AsyncHooks.executionAsyncId();
      NativeWorker.submit("x", result -> inCallback.complete(AsyncHooks.executionAsyncId()));
      long id = inCallback.get(10, TimeUnit.SECONDS);
      assertThat(recorder.idsOfType("NATIVE_WORK")).containsExactly(id);
      assertThat(recorder.awaitDestroy(id)).isTrue();
      assertThat(recorder.triggerOf(id))
          .as("trigger: the code that started the work")
          .isEqualTo(starter);
      assertThat(recorder.eventsOf(id)).containsExactly("init", "before", "after", "destroy");
    }
  }
}
