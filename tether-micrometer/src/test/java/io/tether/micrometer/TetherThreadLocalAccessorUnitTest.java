package io.tether.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.tether.AsyncLocalStorage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The accessor through context-propagation's own API, without Reactor and without the agent. */
class TetherThreadLocalAccessorUnitTest {

  private static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
  private static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");
  private static final ContextRegistry REGISTRY =
      TetherThreadLocalAccessor.register(new ContextRegistry(), REQUEST_ID, USER);
  private static final ContextSnapshotFactory SNAPSHOTS =
      ContextSnapshotFactory.builder().contextRegistry(REGISTRY).build();

  /** One thread, so that what one task leaves behind is what the next one sees. */
  private static final ExecutorService POOL = Executors.newSingleThreadExecutor();

  @AfterEach
  void leavesNoContext() throws Exception {
    assertThat(REQUEST_ID.getStore()).isNull();
    assertThat(USER.getStore()).isNull();
    assertThat(
            POOL.submit(() -> REQUEST_ID.getStore() + "/" + USER.getStore())
                .get(10, TimeUnit.SECONDS))
        .isEqualTo("null/null");
  }

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
  }

  @Test
  void of_keysByStorageName() {
    assertThat(TetherThreadLocalAccessor.of(REQUEST_ID).key()).isEqualTo("requestId");
    assertThat(TetherThreadLocalAccessor.of("k", new AsyncLocalStorage<>()).key()).isEqualTo("k");
    assertThatThrownBy(() -> TetherThreadLocalAccessor.of(new AsyncLocalStorage<>()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Timeout(10)
  void captureAll_carriesEveryRegisteredStorage() throws Exception {
    ContextSnapshot snapshot =
        REQUEST_ID.run("r-1", () -> USER.run("ada", () -> SNAPSHOTS.captureAll()));

    String seen =
        POOL.submit(snapshot.wrap(() -> REQUEST_ID.getStore() + "/" + USER.getStore()))
            .get(10, TimeUnit.SECONDS);

    assertThat(seen).isEqualTo("r-1/ada");
  }

  @Test
  @Timeout(10)
  @SuppressWarnings("try")
  void setThreadLocals_setsOnAnotherThreadAndRestoresAfterScope() throws Exception {
    ContextSnapshot snapshot = REQUEST_ID.run("r-2", () -> SNAPSHOTS.captureAll());

    String seen =
        POOL.submit(
                () -> {
                  String inside;
                  try (ContextSnapshot.Scope ignored = snapshot.setThreadLocals()) {
                    inside = REQUEST_ID.getStore();
                  }
                  return inside + " then " + REQUEST_ID.getStore();
                })
            .get(10, TimeUnit.SECONDS);

    assertThat(seen).isEqualTo("r-2 then null");
  }

  @Test
  @Timeout(10)
  @SuppressWarnings("try")
  void setThreadLocals_restoresTheValueItReplaced() throws Exception {
    ContextSnapshot snapshot = REQUEST_ID.run("inner", () -> SNAPSHOTS.captureAll());

    String seen =
        REQUEST_ID.run(
            "outer",
            () -> {
              String inside;
              try (ContextSnapshot.Scope ignored = snapshot.setThreadLocals()) {
                inside = REQUEST_ID.getStore();
              }
              return inside + " then " + REQUEST_ID.getStore();
            });

    assertThat(seen).isEqualTo("inner then outer");
  }

  @Test
  @Timeout(10)
  void contextExecutorService_carriesStoragesWithoutTheAgent() throws Exception {
    ExecutorService wrapped = ContextExecutorService.wrap(POOL, SNAPSHOTS::captureAll);

    String seen =
        REQUEST_ID.run(
            "r-3",
            () ->
                USER.run(
                    "grace",
                    () -> {
                      try {
                        return wrapped
                            .submit(() -> REQUEST_ID.getStore() + "/" + USER.getStore())
                            .get(10, TimeUnit.SECONDS);
                      } catch (Exception e) {
                        throw new AssertionError(e);
                      }
                    }));

    assertThat(seen).isEqualTo("r-3/grace");
  }

  @Test
  void clear_whereNothingIsSet_keepsADisabledStorageDisabled() {
    AsyncLocalStorage<String> storage = new AsyncLocalStorage<>("withDefault", "default");
    TetherThreadLocalAccessor<String> accessor = TetherThreadLocalAccessor.of(storage);
    storage.disable();

    accessor.setValue();
    accessor.restore();

    assertThat(storage.getStore()).isNull();
  }
}
