package io.tether.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JNI example: a native thread the JVM never started calls back, in the context of the Java
 * code that started the native work, with hook events around the callback.
 */
@Timeout(30)
class NativeWorkerTest {

  private static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");
  private ContextGuard guard;

  @BeforeAll
  static void loadLibrary() {
    NativeWorker.load(Path.of(System.getProperty("tether.native.lib",
        "target/native/libtethernative.so")));
  }

  @BeforeEach
  void setUp() {
    guard = ContextGuard.record();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    guard.assertNothingLeftBehind(REQUEST);
  }

  @Test
  void callbackFromANativeThread_runsInTheContextThatStartedTheWork() throws Exception {
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    REQUEST.run("request 1", () -> NativeWorker.submit("select one", result -> first.complete(
        result + " | " + REQUEST.getStore() + " | " + Thread.currentThread().getName())));
    REQUEST.run("request 2", () -> NativeWorker.submit("select two", result -> second.complete(
        result + " | " + REQUEST.getStore() + " | " + Thread.currentThread().getName())));

    assertThat(first.get(10, TimeUnit.SECONDS))
        .matches("SELECT ONE \\| request 1 \\| native-worker-\\d+");
    assertThat(second.get(10, TimeUnit.SECONDS))
        .matches("SELECT TWO \\| request 2 \\| native-worker-\\d+");
  }

  @Test
  void nativeWork_isAnAsyncResource_withItsHookEvents() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch destroyed = new CountDownLatch(1);
    long[] ids = new long[3];
    AsyncHook hook = AsyncHooks.createHook(new AsyncHookCallbacks() {
      @Override
      public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
        if (type.equals("NATIVE_WORK")) {
          ids[0] = asyncId;
          ids[1] = triggerAsyncId;
          events.add("init");
        }
      }

      @Override
      public void before(long asyncId) {
        if (asyncId == ids[0]) {
          events.add("before");
        }
      }

      @Override
      public void after(long asyncId) {
        if (asyncId == ids[0]) {
          events.add("after");
        }
      }

      @Override
      public void destroy(long asyncId) {
        if (asyncId == ids[0]) {
          events.add("destroy");
          destroyed.countDown();
        }
      }
    }).enable();
    try {
      CompletableFuture<Long> inCallback = new CompletableFuture<>();
      long starter = AsyncHooks.executionAsyncId();
      NativeWorker.submit("x", result -> inCallback.complete(AsyncHooks.executionAsyncId()));
      assertThat(inCallback.get(10, TimeUnit.SECONDS)).isEqualTo(ids[0]);
      assertThat(destroyed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(ids[1]).as("trigger: the code that started the work").isEqualTo(starter);
      assertThat(events).containsExactly("init", "before", "after", "destroy");
    } finally {
      hook.disable();
    }
  }
}
