package io.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.internal.Hooks;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({NoContextLeft.class, CleanCoreState.class})
@Timeout(20)
class AsyncResourceTest {

  private final RecordingHook recorder = new RecordingHook();
  private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>("als");

  @AfterEach
  void disable() {
    recorder.disable();
  }

  @Test
  void constructor_capturesContextOfCreation_runInAsyncScopeRestoresIt() throws Exception {
    AsyncResource r = als.run("created", () -> new AsyncResource("CTX"));
    CompletableFuture<String> seen = new CompletableFuture<>();
    Thread t =
        new Thread(
            () ->
                als.run(
                    "runner",
                    () -> seen.complete(r.runInAsyncScope(als::getStore) + "," + als.getStore())));
    t.start();
    t.join();
    assertThat(seen.get()).isEqualTo("created,runner");
  }

  @Test
  void callInAsyncScope_checkedExceptionPropagates() {
    AsyncResource r = new AsyncResource("CALL");
    Exception e = new Exception("checked");
    assertThatThrownBy(
            () ->
                r.callInAsyncScope(
                    () -> {
                      throw e;
                    }))
        .isSameAs(e);
  }

  @Test
  void triggerAsyncId_explicitValuesAreKept() {
    assertThat(new AsyncResource("T", 42).triggerAsyncId()).isEqualTo(42);
    assertThat(new AsyncResource("T", -1).triggerAsyncId()).isEqualTo(-1);
    assertThat(new AsyncResource("T", 0, true).triggerAsyncId()).isZero();
    assertThat(new AsyncResource("T").type()).isEqualTo("T");
  }

  @Test
  void invalidArguments_throwWithTheArgumentNamed() {
    assertThatThrownBy(() -> new AsyncResource(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("type");
    assertThatThrownBy(() -> new AsyncResource(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("type");
    assertThatThrownBy(() -> new AsyncResource("T", -2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("triggerAsyncId")
        .hasMessageContaining("-2");
    assertThatThrownBy(() -> new AsyncResource("T", -5, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("triggerAsyncId");
    AsyncResource r = new AsyncResource("T");
    assertThatThrownBy(() -> r.runInAsyncScope((Runnable) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("fn");
    assertThatThrownBy(() -> r.callInAsyncScope(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("fn");
    assertThatThrownBy(() -> r.bind((Runnable) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("fn");
    assertThatThrownBy(() -> AsyncResource.bind(null, "T"))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("fn");
    assertThatThrownBy(() -> AsyncResource.bind(() -> {}, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("type");
  }

  @Test
  void emitDestroy_secondCallThrows_destroyDeliveredOnceOffTheCallingThread() throws Exception {
    AtomicReference<String> destroyThread = new AtomicReference<>();
    AsyncHook threadProbe =
        AsyncHooks.createHook(
                new AsyncHookCallbacks() {
                  @Override
                  public void destroy(long asyncId) {
                    destroyThread.set(Thread.currentThread().getName());
                  }
                })
            .enable();
    recorder.enable();
    try {
      AsyncResource r = new AsyncResource("ONCE");
      assertThat(r.emitDestroy()).isSameAs(r);
      assertThatThrownBy(r::emitDestroy)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("emitDestroy")
          .hasMessageContaining(String.valueOf(r.asyncId()));
      assertThat(recorder.awaitDestroy(r.asyncId(), 5000)).isTrue();
      assertThat(recorder.eventsOf(r.asyncId())).containsExactly("init", "destroy");
      assertThat(destroyThread.get()).isEqualTo("tether-destroy");
    } finally {
      threadProbe.disable();
    }
  }

  @Test
  void unreachableResource_getsDestroy_whenDestroyHookWasEnabledAtCreation() throws Exception {
    recorder.enable();
    long id = createAndDrop("DROPPED", false);
    assertThat(awaitDestroyWithGc(id)).as("destroy of unreachable resource").isTrue();
    assertThat(recorder.eventsOf(id)).containsExactly("init", "destroy");
  }

  @Test
  void destroyedResources_leaveNoWatchBehind_andCollectedOnesNeither() throws Exception {
    recorder.enable();
    int before = Hooks.destroyWatchesHeld();
    for (int i = 0; i < 1000; i++) {
      new AsyncResource("ENDED", AsyncHooks.executionAsyncId(), false).emitDestroy();
    }
    assertThat(Hooks.destroyWatchesHeld())
        .as("watches after 1,000 destroyed resources")
        .isLessThanOrEqualTo(before);
    long dropped = createAndDrop("DROPPED", false);
    assertThat(awaitDestroyWithGc(dropped)).isTrue();
    assertThat(Hooks.destroyWatchesHeld())
        .as("watches after a collected resource's destroy")
        .isLessThanOrEqualTo(before);
  }

  @Test
  @Timeout(30)
  void destroyedResourcesWatches_areDroppedByTheCleanerItself() throws Exception {
    recorder.enable();
    for (int i = 0; i < 1000; i++) {
      new AsyncResource("ENDED", AsyncHooks.executionAsyncId(), false).emitDestroy();
    }
    assertThat(Hooks.destroyWatchesUnswept()).as("pushed, done, not swept yet").isPositive();
    // The cleaner sweeps on its own schedule (every 10 ms while watches are made, up to a second
    // when idle before): wait for it, bounded, without sweeping from here.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (Hooks.destroyWatchesUnswept() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(Hooks.destroyWatchesUnswept()).as("swept by the cleaner within 10 s").isZero();
  }

  @Test
  void unreachableResource_requireManualDestroy_getsNoDestroy() throws Exception {
    recorder.enable();
    long manual = createAndDrop("MANUAL", true);
    long automatic = createAndDrop("AUTO", false);
    // Once the automatic one is collected and destroyed, the manual one (same age) was too.
    assertThat(awaitDestroyWithGc(automatic)).isTrue();
    System.gc();
    assertThat(recorder.awaitDestroy(manual, 200)).isFalse();
  }

  @Test
  void unreachableResource_noDestroyHookAtCreation_getsNoDestroy() throws Exception {
    long id = createAndDrop("UNWATCHED", false);
    recorder.enable();
    long watched = createAndDrop("WATCHED", false);
    assertThat(awaitDestroyWithGc(watched)).isTrue();
    assertThat(recorder.eventsOf(id)).isEmpty();
  }

  private static long createAndDrop(String type, boolean manual) {
    return new AsyncResource(type, AsyncHooks.executionAsyncId(), manual).asyncId();
  }

  private boolean awaitDestroyWithGc(long id) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      System.gc();
      if (recorder.awaitDestroy(id, 50)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void bind_instance_runsInTheResourceScope() throws Exception {
    recorder.enable();
    AsyncResource r = als.run("res", () -> new AsyncResource("BIND"));
    AtomicReference<String> seen = new AtomicReference<>();
    Runnable bound = r.bind(() -> seen.set(als.getStore() + "@" + AsyncHooks.executionAsyncId()));
    Callable<String> boundCall = r.bind(als::getStore);
    als.run("caller", bound);
    assertThat(seen.get()).isEqualTo("res@" + r.asyncId());
    assertThat(boundCall.call()).isEqualTo("res");
    assertThat(recorder.eventsOf(r.asyncId()))
        .containsExactly("init", "before", "after", "before", "after");
  }

  @Test
  void bind_static_eventListenerRunsInRegistrationContext() {
    // Integrating AsyncResource with EventEmitter: a bound listener runs in the outer scope, a
    // plain one in the scope that emitted.
    java.util.List<Runnable> listeners = new java.util.ArrayList<>();
    java.util.List<String> seen = new java.util.ArrayList<>();
    als.run(
        "request",
        () -> {
          listeners.add(AsyncResource.bind(() -> seen.add("bound:" + als.getStore()), "close"));
          listeners.add(() -> seen.add("plain:" + als.getStore()));
        });
    als.run("emitter", () -> listeners.forEach(Runnable::run));
    assertThat(seen).containsExactly("bound:request", "plain:emitter");
  }

  @Test
  void dbQueryExample_callbackRunsInQueryContext() throws Exception {
    // The DBQuery example of async_context.md: a callback API made context-safe by AsyncResource.
    final class Db {
      Thread worker;

      void get(String query, Consumer<String> callback) {
        worker = new Thread(() -> callback.accept(query.toUpperCase()));
        worker.start();
      }
    }
    final class DbQuery extends AsyncResource {
      private Db db;

      DbQuery(Db db) {
        super("DBQuery");
        this.db = db;
      }

      void getInfo(String query, Consumer<String> callback) {
        db.get(query, data -> runInAsyncScope(() -> callback.accept(data)));
      }

      void close() {
        db = null;
        emitDestroy();
      }
    }
    recorder.enable();
    CompletableFuture<String> result = new CompletableFuture<>();
    Db db = new Db();
    DbQuery q = als.run("query ctx", () -> new DbQuery(db));
    q.getInfo("select", data -> result.complete(data + " in " + als.getStore()));
    assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("SELECT in query ctx");
    // The callback's scope ends (after) on the worker once it returns: close after that, as
    // Node's single thread would.
    db.worker.join(5000);
    q.close();
    assertThat(recorder.awaitDestroy(q.asyncId(), 5000)).isTrue();
    assertThat(recorder.eventsOf(q.asyncId()))
        .containsExactly("init", "before", "after", "destroy");
    assertThat(recorder.events()).contains("init " + q.asyncId() + " DBQuery 1");
  }

  @Test
  void snapshotAndBind_areBoundAnonymousFnResources() {
    recorder.enable();
    AsyncSnapshot snap = AsyncLocalStorage.snapshot();
    long[] inside = new long[1];
    snap.run(() -> inside[0] = AsyncHooks.executionAsyncId());
    assertThat(recorder.idsOfType(ResourceTypes.BOUND_ANONYMOUS_FN)).containsExactly(inside[0]);
    Runnable bound = AsyncLocalStorage.bind(() -> {});
    bound.run();
    assertThat(recorder.idsOfType(ResourceTypes.BOUND_ANONYMOUS_FN)).hasSize(2);
    assertThat(recorder.eventsOf(inside[0])).containsExactly("init", "before", "after");
  }
}
