package io.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.internal.ExecutionState;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({NoContextLeft.class, CleanCoreState.class})
@Timeout(10)
class AsyncLocalStorageTest {

  private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>("als");
  private final AsyncLocalStorage<String> other = new AsyncLocalStorage<>("other");
  private final ExecutorService pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));

  @AfterEach
  void shutdown() throws InterruptedException {
    pool.shutdown();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private <T> T onPool(Callable<T> task) throws Exception {
    return pool.submit(task).get(5, TimeUnit.SECONDS);
  }

  @Test
  void getStore_outsideAnyRun_isNull() {
    assertThat(als.getStore()).isNull();
  }

  @Test
  void name_isGivenOrEmpty() {
    assertThat(als.name()).isEqualTo("als");
    assertThat(new AsyncLocalStorage<>().name()).isEmpty();
    assertThat(als.toString()).contains("als");
  }

  @Test
  void run_setsStoreInsideAndRestoresAfter() {
    List<String> seen = new ArrayList<>();
    als.run(
        "a",
        () -> {
          seen.add(als.getStore());
          als.run("b", () -> seen.add(als.getStore()));
          seen.add(als.getStore());
        });
    seen.add(als.getStore());
    assertThat(seen).containsExactly("a", "b", "a", null);
  }

  @Test
  void run_supplierAndCall_returnResult() throws Exception {
    assertThat(als.run("v", () -> als.getStore() + "!")).isEqualTo("v!");
    assertThat(als.call("w", () -> als.getStore() + "?")).isEqualTo("w?");
    assertThat(als.getStore()).isNull();
  }

  @Test
  void run_exceptionPropagatesUnchangedAndContextIsRestored() {
    IllegalStateException boom = new IllegalStateException("boom");
    als.run(
        "outer",
        () -> {
          assertThatThrownBy(
                  () ->
                      als.run(
                          "inner",
                          () -> {
                            throw boom;
                          }))
              .isSameAs(boom);
          assertThat(als.getStore()).isEqualTo("outer");
        });
    assertThat(als.getStore()).isNull();
  }

  @Test
  void call_checkedExceptionPropagatesUnchanged() {
    Exception checked = new java.io.IOException("io");
    assertThatThrownBy(
            () ->
                als.call(
                    "x",
                    () -> {
                      throw checked;
                    }))
        .isSameAs(checked);
    assertThat(als.getStore()).isNull();
  }

  @Test
  void run_errorPropagatesAndContextIsRestored() {
    StackOverflowError error = new StackOverflowError("deep");
    assertThatThrownBy(
            () ->
                als.run(
                    "x",
                    (Runnable)
                        () -> {
                          throw error;
                        }))
        .isSameAs(error);
    assertThat(als.getStore()).isNull();
  }

  @Test
  void twoStorages_areIndependent() {
    als.run(
        "a1",
        () ->
            other.run(
                "o1",
                () -> {
                  assertThat(als.getStore()).isEqualTo("a1");
                  assertThat(other.getStore()).isEqualTo("o1");
                  als.run(
                      "a2",
                      () -> {
                        assertThat(als.getStore()).isEqualTo("a2");
                        assertThat(other.getStore()).isEqualTo("o1");
                      });
                  other.exit(
                      () -> {
                        assertThat(als.getStore()).isEqualTo("a1");
                        assertThat(other.getStore()).isNull();
                      });
                }));
  }

  @Test
  void run_restoresOnlyItsOwnStorage_enterWithOfAnotherOutlivesIt() {
    // As in Node 24: als.run('x', () => other.enterWith('y')) leaves other at 'y'.
    AtomicReference<String> after = new AtomicReference<>();
    AsyncResource scope = new AsyncResource("scope");
    scope.runInAsyncScope(
        () -> {
          als.run("x", () -> other.enterWith("y"));
          after.set(als.getStore() + "," + other.getStore());
        });
    assertThat(after.get()).isEqualTo("null,y");
  }

  @Test
  void exit_readsNullInsideAndInWorkLinkedInside() throws Exception {
    String[] seen = new String[3];
    als.run(
        "a",
        () -> {
          als.exit(
              () -> {
                seen[0] = als.getStore();
                try {
                  seen[1] = onPool(als::getStore);
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              });
          seen[2] = als.getStore();
        });
    assertThat(seen).containsExactly(null, null, "a");
  }

  @Test
  void exit_exceptionPropagatesAndStoreIsReentered() {
    // The exit() example of async_context.md.
    als.run(
        "store",
        () -> {
          RuntimeException thrown = new RuntimeException();
          try {
            assertThat(als.getStore()).isEqualTo("store");
            als.exit(
                (Runnable)
                    () -> {
                      assertThat(als.getStore()).isNull();
                      throw thrown;
                    });
          } catch (RuntimeException e) {
            assertThat(e).isSameAs(thrown);
            assertThat(als.getStore()).isEqualTo("store");
          }
        });
  }

  @Test
  void exit_supplierReturnsResult() {
    assertThat(als.run("a", () -> als.exit(() -> String.valueOf(als.getStore()))))
        .isEqualTo("null");
  }

  @Test
  void defaultValue_isReturnedOnlyWhereNoEntryExists() {
    AsyncLocalStorage<String> withDefault = new AsyncLocalStorage<>("d", "default");
    assertThat(withDefault.getStore()).isEqualTo("default");
    assertThat(withDefault.run("set", withDefault::getStore)).isEqualTo("set");
    assertThat(withDefault.run(null, withDefault::getStore)).isNull();
    assertThat(withDefault.exit(withDefault::getStore)).isNull();
    new AsyncResource("scope")
        .runInAsyncScope(
            () -> {
              withDefault.enterWith(null);
              assertThat(withDefault.getStore()).isNull();
            });
    assertThat(withDefault.getStore()).isEqualTo("default");
  }

  @Test
  void enterWith_lastsUntilTheEndOfTheEnclosingContinuation() throws Exception {
    AsyncResource resource = new AsyncResource("scope");
    String linked =
        resource.callInAsyncScope(
            () -> {
              als.enterWith("entered");
              assertThat(als.getStore()).isEqualTo("entered");
              return onPool(als::getStore);
            });
    assertThat(linked).isEqualTo("entered");
    assertThat(als.getStore()).isNull();
  }

  @Test
  void enterWith_insidePoolTask_endsWithTheTask() throws Exception {
    ExecutorService single = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());
    try {
      single.submit(() -> als.enterWith("leaky")).get(5, TimeUnit.SECONDS);
      assertThat(single.submit(als::getStore).get(5, TimeUnit.SECONDS)).isNull();
    } finally {
      single.shutdown();
    }
  }

  @Test
  void enterWith_insideRunOfSameStorage_isUndoneByRun() {
    als.run(
        "a",
        () -> {
          als.enterWith("b");
          assertThat(als.getStore()).isEqualTo("b");
        });
    assertThat(als.getStore()).isNull();
  }

  @Test
  void run_valueFollowsWorkLinkedInside_evenAfterRunReturned() throws Exception {
    CompletableFuture<String> seen = new CompletableFuture<>();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    als.run(
        "linked",
        () ->
            pool.execute(
                () -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  seen.complete(als.getStore());
                }));
    als.run("later", release::countDown);
    assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("linked");
  }

  @Test
  void disable_endsValuesEverywhereUntilNextRun() throws Exception {
    AsyncLocalStorage<String> d = new AsyncLocalStorage<>("d", "default");
    AsyncSnapshot captured = d.run("old", () -> AsyncLocalStorage.snapshot());
    Runnable[] check = new Runnable[1];
    String[] seen = new String[6];
    AsyncResource scope = new AsyncResource("scope");
    scope.runInAsyncScope(
        () -> {
          d.enterWith("entered");
          d.disable();
          seen[0] = d.getStore();
        });
    seen[1] = d.getStore();
    seen[2] = captured.run(d::getStore);
    seen[3] = onPool(d::getStore);
    seen[4] = d.run("new", () -> d.getStore() + "|" + captured.run(d::getStore));
    seen[5] = d.getStore();
    check[0] = null;
    assertThat(seen).containsExactly(null, null, null, null, "new|null", "default");
  }

  @Test
  void disable_dropsValueFromCurrentFrameAtOnce() {
    new AsyncResource("scope")
        .runInAsyncScope(
            () -> {
              als.enterWith("x");
              other.enterWith("y");
              als.disable();
              assertThat(ExecutionState.current().frame.indexOfStorage(als)).isNegative();
              assertThat(other.getStore()).isEqualTo("y");
            });
  }

  @Test
  void disable_otherThreadSeesNullInsideRun() throws Exception {
    java.util.concurrent.CountDownLatch disabled = new java.util.concurrent.CountDownLatch(1);
    CompletableFuture<String> before = new CompletableFuture<>();
    CompletableFuture<String> afterDisable = new CompletableFuture<>();
    Thread t =
        new Thread(
            () ->
                als.run(
                    "mine",
                    () -> {
                      before.complete(als.getStore());
                      Waits.await(disabled);
                      afterDisable.complete(String.valueOf(als.getStore()));
                    }));
    t.start();
    assertThat(before.get(5, TimeUnit.SECONDS)).isEqualTo("mine");
    als.disable();
    disabled.countDown();
    t.join(5000);
    assertThat(afterDisable.get(5, TimeUnit.SECONDS)).isEqualTo("null");
  }

  @Test
  void storage_isCollectableAfterUse_noRegistryKeepsIt() throws Exception {
    java.lang.ref.WeakReference<?>[] refs = useAndDropStorage();
    java.lang.ref.WeakReference<?> storageRef = refs[0];
    java.lang.ref.WeakReference<?> valueRef = refs[1];
    for (int i = 0; i < 50 && (storageRef.get() != null || valueRef.get() != null); i++) {
      System.gc();
      Thread.sleep(10);
    }
    assertThat(storageRef.get()).as("storage").isNull();
    assertThat(valueRef.get()).as("value").isNull();
  }

  /** In its own frame, so that no stack slot of the test method keeps the storage or value. */
  private java.lang.ref.WeakReference<?>[] useAndDropStorage() {
    AsyncLocalStorage<Object> tmp = new AsyncLocalStorage<>();
    Object value = new Object();
    tmp.run(value, () -> onPoolUnchecked(tmp::getStore));
    tmp.disable();
    return new java.lang.ref.WeakReference<?>[] {
      new java.lang.ref.WeakReference<>(tmp), new java.lang.ref.WeakReference<>(value)
    };
  }

  private Object onPoolUnchecked(Callable<?> c) {
    try {
      return onPool(c);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void snapshot_capturedInOneContextRunsInItElsewhere() throws Exception {
    // The snapshot() example of async_context.md: prints 123.
    AsyncLocalStorage<Integer> asyncLocalStorage = new AsyncLocalStorage<>();
    AsyncSnapshot runInAsyncScope = asyncLocalStorage.run(123, () -> AsyncLocalStorage.snapshot());
    Integer result =
        asyncLocalStorage.run(321, () -> runInAsyncScope.run(asyncLocalStorage::getStore));
    assertThat(result).isEqualTo(123);
    String onOtherThread =
        pool.submit(
                () ->
                    als.run(
                        "elsewhere",
                        () ->
                            runInAsyncScope.run(
                                () -> asyncLocalStorage.getStore() + "/" + als.getStore())))
            .get(5, TimeUnit.SECONDS);
    assertThat(onOtherThread).isEqualTo("123/null");
  }

  @Test
  void snapshot_fieldOfObject_asInFooExample() {
    // class Foo { #runInAsyncScope = AsyncLocalStorage.snapshot(); get() {...} } returns 123.
    AsyncLocalStorage<Integer> asyncLocalStorage = new AsyncLocalStorage<>();
    final class Foo {
      private final AsyncSnapshot runInAsyncScope = AsyncLocalStorage.snapshot();

      Integer get() {
        return runInAsyncScope.run(asyncLocalStorage::getStore);
      }
    }
    Foo foo = asyncLocalStorage.run(123, Foo::new);
    assertThat(asyncLocalStorage.run(321, foo::get)).isEqualTo(123);
  }

  @Test
  void snapshot_wrapAndCall() throws Exception {
    AsyncSnapshot snap = als.run("s", () -> AsyncLocalStorage.snapshot());
    AtomicReference<String> seen = new AtomicReference<>();
    Runnable wrapped = snap.wrap(() -> seen.set(als.getStore()));
    Callable<String> callable = snap.wrap(als::getStore);
    als.run(
        "other",
        () -> {
          wrapped.run();
          assertThat(als.getStore()).isEqualTo("other");
        });
    assertThat(seen.get()).isEqualTo("s");
    assertThat(callable.call()).isEqualTo("s");
    assertThat(snap.call(als::getStore)).isEqualTo("s");
    assertThat(als.getStore()).isNull();
  }

  @Test
  void snapshot_restoresWholeContextAfter_evenEnterWithInside() {
    AsyncSnapshot snap = AsyncLocalStorage.snapshot();
    als.run(
        "outer",
        () -> {
          snap.run(
              () -> {
                als.enterWith("inside");
                other.enterWith("inside too");
              });
          assertThat(als.getStore()).isEqualTo("outer");
          assertThat(other.getStore()).isNull();
        });
  }

  @Test
  void bind_runsInTheContextWhereItWasBound() throws Exception {
    Runnable[] bound = new Runnable[1];
    Callable<?>[] boundCallable = new Callable<?>[1];
    AtomicReference<String> seen = new AtomicReference<>();
    als.run(
        "bound here",
        () -> {
          bound[0] = AsyncLocalStorage.bind(() -> seen.set(als.getStore()));
          boundCallable[0] = AsyncLocalStorage.bind((Callable<String>) als::getStore);
        });
    pool.submit(() -> als.run("runner", bound[0])).get(5, TimeUnit.SECONDS);
    assertThat(seen.get()).isEqualTo("bound here");
    assertThat(
            als.run(
                "caller",
                () -> {
                  try {
                    return boundCallable[0].call();
                  } catch (Exception e) {
                    throw new AssertionError(e);
                  }
                }))
        .isEqualTo("bound here");
  }

  @Test
  void bind_exceptionPropagatesAndCallerContextRestored() {
    RuntimeException boom = new RuntimeException("boom");
    Runnable bound =
        als.run(
            "b",
            () ->
                AsyncLocalStorage.bind(
                    (Runnable)
                        () -> {
                          throw boom;
                        }));
    als.run(
        "caller",
        () -> {
          assertThatThrownBy(bound::run).isSameAs(boom);
          assertThat(als.getStore()).isEqualTo("caller");
        });
  }

  @Test
  void invalidArguments_namedInMessage() {
    assertThatThrownBy(() -> als.run("x", (Runnable) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("callback");
    assertThatThrownBy(() -> als.run("x", (Supplier<String>) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("callback");
    assertThatThrownBy(() -> als.call("x", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("callback");
    assertThatThrownBy(() -> als.exit((Runnable) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("callback");
    assertThatThrownBy(() -> AsyncLocalStorage.bind((Runnable) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("fn");
    assertThatThrownBy(() -> AsyncLocalStorage.bind((Callable<?>) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("fn");
    assertThatThrownBy(() -> new AsyncLocalStorage<>(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("name");
    assertThatThrownBy(() -> AsyncLocalStorage.snapshot().run((Runnable) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("fn");
  }

  @Test
  @SuppressWarnings("deprecation") // Thread.getId(): threadId() is JDK 19+
  void getStore_allocatesNothing() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    if (!(mx instanceof com.sun.management.ThreadMXBean)) {
      return;
    }
    com.sun.management.ThreadMXBean sun = (com.sun.management.ThreadMXBean) mx;
    als.run(
        "v",
        () ->
            other.run(
                "w",
                () -> {
                  long sink = 0;
                  for (int i = 0; i < 20_000; i++) {
                    sink += als.getStore().length() + other.getStore().length();
                  }
                  long tid = Thread.currentThread().getId();
                  long before = sun.getThreadAllocatedBytes(tid);
                  for (int i = 0; i < 100_000; i++) {
                    sink += als.getStore().length() + other.getStore().length();
                  }
                  long allocated = sun.getThreadAllocatedBytes(tid) - before;
                  assertThat(sink).isPositive();
                  // 200,000 reads; anything per read would be at least 1.6 MB.
                  assertThat(allocated).isLessThan(64 * 1024);
                }));
  }
}
