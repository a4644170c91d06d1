package io.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.internal.TestAccess;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({NoContextLeft.class, CleanCoreState.class})
@Timeout(10)
class AsyncHooksTest {

  private final List<AsyncHook> hooks = new ArrayList<>();
  private final RecordingHook recorder = new RecordingHook();

  private AsyncHook enable(AsyncHookCallbacks callbacks) {
    AsyncHook hook = AsyncHooks.createHook(callbacks).enable();
    hooks.add(hook);
    return hook;
  }

  @AfterEach
  void disableHooks() {
    recorder.disable();
    hooks.forEach(AsyncHook::disable);
  }

  @Test
  void executionAsyncId_mainThreadTopLevel_isOneWithTriggerZero() throws Exception {
    // Surefire runs tests on the JVM's main thread; check it does, so this test means something.
    assertThat(Thread.currentThread().getName()).isEqualTo("main");
    assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
    assertThat(AsyncHooks.triggerAsyncId()).isZero();
    Object top = AsyncHooks.executionAsyncResource();
    assertThat(top).isNotNull().isSameAs(AsyncHooks.executionAsyncResource());
  }

  @Test
  void executionAsyncId_untrackedThread_isZeroZero() throws Exception {
    CompletableFuture<long[]> ids = new CompletableFuture<>();
    Thread t =
        new Thread(
            () ->
                ids.complete(
                    new long[] {AsyncHooks.executionAsyncId(), AsyncHooks.triggerAsyncId()}));
    t.start();
    t.join();
    assertThat(ids.get()).containsExactly(0, 0);
  }

  @Test
  void runInAsyncScope_nestedToAnyDepth_idsAndResourceFollowTheScope() {
    AsyncResource outer = new AsyncResource("OUTER");
    assertThat(outer.triggerAsyncId()).isEqualTo(1);
    assertThat(outer.asyncId()).isGreaterThan(1);
    List<String> seen = new ArrayList<>();
    outer.runInAsyncScope(
        () -> {
          AsyncResource inner = new AsyncResource("INNER");
          assertThat(inner.triggerAsyncId()).isEqualTo(outer.asyncId());
          seen.add(AsyncHooks.executionAsyncId() + "/" + AsyncHooks.triggerAsyncId());
          assertThat(AsyncHooks.executionAsyncResource()).isSameAs(outer);
          inner.runInAsyncScope(
              () -> {
                seen.add(AsyncHooks.executionAsyncId() + "/" + AsyncHooks.triggerAsyncId());
                assertThat(AsyncHooks.executionAsyncResource()).isSameAs(inner);
                nest(50, seen);
              });
          seen.add(AsyncHooks.executionAsyncId() + "/" + AsyncHooks.triggerAsyncId());
        });
    assertThat(seen.get(0)).isEqualTo(outer.asyncId() + "/1");
    assertThat(seen.get(seen.size() - 1)).isEqualTo(outer.asyncId() + "/1");
    assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
    assertThat(seen).hasSize(53);
  }

  private static void nest(int depth, List<String> seen) {
    if (depth == 0) {
      return;
    }
    long parent = AsyncHooks.executionAsyncId();
    AsyncResource r = new AsyncResource("LEVEL");
    r.runInAsyncScope(
        () -> {
          assertThat(AsyncHooks.triggerAsyncId()).isEqualTo(parent);
          nest(depth - 1, seen);
          seen.add("level");
        });
    assertThat(AsyncHooks.executionAsyncId()).isEqualTo(parent);
  }

  @Test
  void hookOrdering_initBeforeAfterDestroy() throws Exception {
    recorder.enable();
    AsyncResource r = new AsyncResource("ORDERED");
    r.runInAsyncScope(() -> {});
    r.runInAsyncScope(() -> {});
    r.emitDestroy();
    assertThat(recorder.awaitDestroy(r.asyncId(), 5000)).isTrue();
    assertThat(recorder.eventsOf(r.asyncId()))
        .containsExactly("init", "before", "after", "before", "after", "destroy");
    assertThat(recorder.events()).contains("init " + r.asyncId() + " ORDERED 1");
  }

  @Test
  void hookOrdering_afterIsRaisedEvenWhenTheScopeThrows() {
    recorder.enable();
    AsyncResource r = new AsyncResource("THROWS");
    assertThatThrownBy(
            () ->
                r.runInAsyncScope(
                    (Runnable)
                        () -> {
                          throw new IllegalStateException("x");
                        }))
        .hasMessage("x");
    assertThat(recorder.eventsOf(r.asyncId())).containsExactly("init", "before", "after");
  }

  @Test
  void before_seesTheResourceAsExecuting_andItsContext() {
    AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
    List<String> seen = new CopyOnWriteArrayList<>();
    AsyncResource r = als.run("ctx", () -> new AsyncResource("SEEN"));
    enable(
        new AsyncHookCallbacks() {
          @Override
          public void before(long asyncId) {
            seen.add(asyncId + "=" + AsyncHooks.executionAsyncId() + ":" + als.getStore());
          }
        });
    r.runInAsyncScope(() -> {});
    assertThat(seen).containsExactly(r.asyncId() + "=" + r.asyncId() + ":ctx");
  }

  @Test
  void createHook_anySubsetOfCallbacks() {
    AtomicInteger inits = new AtomicInteger();
    enable(
        new AsyncHookCallbacks() {
          @Override
          public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            inits.incrementAndGet();
          }
        });
    AsyncResource r = new AsyncResource("SUBSET");
    r.runInAsyncScope(() -> {});
    r.emitDestroy();
    assertThat(inits).hasValue(1);
    assertThat(TestAccess.hooksWith("before")).isZero();
    assertThat(TestAccess.hooksWith("init")).isEqualTo(1);
  }

  @Test
  void enableAndDisable_areIdempotentAndReturnTheHook() {
    AsyncHook hook = recorder.hook();
    assertThat(hook.enable()).isSameAs(hook);
    assertThat(hook.enable()).isSameAs(hook);
    assertThat(hook.isEnabled()).isTrue();
    AsyncResource once = new AsyncResource("ONCE");
    // Enabled twice, the hook still sees each event once.
    assertThat(recorder.eventsOf(once.asyncId())).containsExactly("init");
    assertThat(hook.disable()).isSameAs(hook);
    assertThat(hook.disable()).isSameAs(hook);
    assertThat(hook.isEnabled()).isFalse();
    new AsyncResource("NEVER");
    assertThat(recorder.idsOfType("NEVER")).isEmpty();
    assertThat(TestAccess.anyHookEnabled()).isFalse();
  }

  @Test
  void disableInsideCallback_takesEffectFromTheNextEvent() {
    List<String> seen = new CopyOnWriteArrayList<>();
    AsyncHook[] self = new AsyncHook[1];
    self[0] =
        enable(
            new AsyncHookCallbacks() {
              @Override
              public void before(long asyncId) {
                seen.add("before");
                self[0].disable();
              }

              @Override
              public void after(long asyncId) {
                seen.add("after");
              }
            });
    AsyncResource r = new AsyncResource("X");
    r.runInAsyncScope(() -> {});
    r.runInAsyncScope(() -> {});
    assertThat(seen).containsExactly("before");
  }

  @Test
  void enableInsideCallback_takesEffectFromTheNextEvent() {
    recorder.hook().disable();
    enable(
        new AsyncHookCallbacks() {
          @Override
          public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            recorder.enable();
          }
        });
    AsyncResource r = new AsyncResource("LATE");
    r.runInAsyncScope(() -> {});
    assertThat(recorder.eventsOf(r.asyncId())).containsExactly("before", "after");
  }

  @Test
  void asyncWorkInsideHookCallback_producesNoHookEvents() throws Exception {
    recorder.enable();
    ExecutorService pool = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());
    AtomicLong innerId = new AtomicLong();
    CountDownLatch ran = new CountDownLatch(1);
    AsyncHook h =
        enable(
            new AsyncHookCallbacks() {
              @Override
              public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                if (type.equals("OUTER")) {
                  AsyncResource inner = new AsyncResource("INNER");
                  innerId.set(inner.asyncId());
                  inner.runInAsyncScope(() -> {});
                  inner.emitDestroy();
                  pool.execute(ran::countDown);
                }
              }
            });
    try {
      new AsyncResource("OUTER");
      Waits.await(ran);
      assertThat(recorder.eventsOf(innerId.get())).isEmpty();
      assertThat(recorder.idsOfType("INNER")).isEmpty();
      assertThat(recorder.idsOfType(ResourceTypes.EXECUTOR_TASK)).isEmpty();
    } finally {
      h.disable();
      pool.shutdown();
    }
  }

  @Test
  void throwingCallback_neverReachesTheApplication_andIsReported() throws Exception {
    List<String> reports = new CopyOnWriteArrayList<>();
    HookErrorHandler previous =
        AsyncHooks.setHookErrorHandler(
            (hook, event, asyncId, error) ->
                reports.add(event + " " + asyncId + " " + error.getMessage()));
    AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
    try {
      enable(
          new AsyncHookCallbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
              throw new IllegalStateException("init broke");
            }

            @Override
            public void before(long asyncId) {
              als.enterWith("hook value");
              throw new IllegalStateException("before broke");
            }

            @Override
            public void after(long asyncId) {
              throw new OutOfMemoryError("after broke");
            }
          });
      recorder.enable();
      AsyncResource r = als.run("app", () -> new AsyncResource("VICTIM"));
      String result = r.runInAsyncScope(() -> als.getStore() + "@" + AsyncHooks.executionAsyncId());
      // The failing callback's enterWith was undone: the application's context is intact.
      assertThat(result).isEqualTo("app@" + r.asyncId());
      assertThat(als.getStore()).isNull();
      assertThat(reports)
          .containsExactly(
              "init " + r.asyncId() + " init broke",
              "before " + r.asyncId() + " before broke",
              "after " + r.asyncId() + " after broke");
      // The other hook still got every event.
      assertThat(recorder.eventsOf(r.asyncId())).containsExactly("init", "before", "after");
    } finally {
      AsyncHooks.setHookErrorHandler(previous);
    }
  }

  @Test
  void defaultErrorHandler_printsHookEventAndStack() {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    System.setErr(new java.io.PrintStream(err, true));
    try {
      AsyncHook hook = AsyncHooks.createHook(new AsyncHookCallbacks() {});
      TestAccess.defaultHookErrorHandler()
          .onHookError(hook, "before", 42, new IllegalStateException("broken hook"));
    } finally {
      System.setErr(original);
    }
    assertThat(err.toString())
        .contains("async hook", "threw in before(asyncId=42)", "IllegalStateException: broken hook")
        .contains("at io.tether.AsyncHooksTest");
  }

  @Test
  void hooks_dispatchConcurrentlyFromManyThreads() throws Exception {
    AtomicLong befores = new AtomicLong();
    AtomicLong afters = new AtomicLong();
    enable(
        new AsyncHookCallbacks() {
          @Override
          public void before(long asyncId) {
            befores.incrementAndGet();
          }

          @Override
          public void after(long asyncId) {
            afters.incrementAndGet();
          }
        });
    int threads = 4;
    int perThread = 10_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < perThread; i++) {
                  new AsyncResource("CONCURRENT").runInAsyncScope(() -> {});
                }
              });
      thread.start();
      all.add(thread);
    }
    start.countDown();
    for (Thread thread : all) {
      thread.join();
    }
    assertThat(befores).hasValue((long) threads * perThread);
    assertThat(afters).hasValue((long) threads * perThread);
  }

  @Test
  void createHook_nullCallbacks_isRejectedByName() {
    assertThatThrownBy(() -> AsyncHooks.createHook(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("callbacks");
    assertThatThrownBy(() -> AsyncHooks.setHookErrorHandler(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("handler");
  }

  @Test
  void asyncIds_areUniqueAndIncreasing() {
    long previous = 0;
    for (int i = 0; i < 1000; i++) {
      long id = new AsyncResource("ID").asyncId();
      assertThat(id).isGreaterThan(previous);
      previous = id;
    }
  }

  @Test
  void noHookEnabled_hookStateIsNull() {
    assertThat(TestAccess.anyHookEnabled()).isFalse();
  }
}
