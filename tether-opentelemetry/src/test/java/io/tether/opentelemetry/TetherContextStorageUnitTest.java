package io.tether.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import io.tether.AsyncExecutors;
import io.tether.AsyncLocalStorage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Without the agent: OpenTelemetry's context is Tether's, and Tether-wrapped executors carry it.
 */
class TetherContextStorageUnitTest {

  private static final ContextKey<String> USER = ContextKey.named("user");

  /** One thread, so that what one task leaves behind is what the next one sees. */
  private static final ExecutorService RAW = Executors.newSingleThreadExecutor();

  private static final ExecutorService POOL = AsyncExecutors.wrap(RAW);
  private final Tracing tracing = new Tracing();

  @AfterEach
  void leavesNoContext() throws Exception {
    tracing.close();
    Tracing.assertRootContext();
    assertThat(RAW.submit(() -> Context.current() == Context.root()).get(10, TimeUnit.SECONDS))
        .isTrue();
  }

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
  }

  @Test
  @SuppressWarnings("try")
  void contextStorage_isTethersThroughTheServiceLoader() {
    Context withUser = Context.root().with(USER, "ada");
    try (Scope ignored = ContextStorage.get().attach(withUser)) {
      assertThat(TetherContextStorage.CURRENT.getStore()).isSameAs(withUser);
      assertThat(Context.current()).isSameAs(withUser);
    }
  }

  @Test
  @SuppressWarnings("try")
  void makeCurrent_livesInATetherStorage_andCloseRestoresThePrevious() {
    Context outer = Context.root().with(USER, "ada");
    Context inner = outer.with(USER, "grace");
    try (Scope o = outer.makeCurrent()) {
      assertThat(TetherContextStorage.CURRENT.getStore()).isSameAs(outer);
      try (Scope i = inner.makeCurrent()) {
        assertThat(Context.current().get(USER)).isEqualTo("grace");
        assertThat(outer.makeCurrent())
            .as("attaching the current context again")
            .isNotNull()
            .satisfies(Scope::close);
        assertThat(Context.current()).isSameAs(inner);
      }
      assertThat(Context.current()).isSameAs(outer);
    }
    Tracing.assertRootContext();
  }

  @Test
  @SuppressWarnings("try")
  void scope_closedTwice_restoresOnce() {
    Context a = Context.root().with(USER, "a");
    Context b = a.with(USER, "b");
    try (Scope sa = a.makeCurrent()) {
      Scope sb = b.makeCurrent();
      sb.close();
      Scope again = b.makeCurrent();
      sb.close(); // a stale close must not undo the newer scope
      assertThat(Context.current()).isSameAs(b);
      again.close();
      assertThat(Context.current()).isSameAs(a);
    }
  }

  @Test
  @Timeout(10)
  @SuppressWarnings("try")
  void wrappedExecutor_taskSpanIsChildOfRequestSpan() throws Exception {
    Span request = tracing.tracer.spanBuilder("request").startSpan();
    try (Scope ignored = request.makeCurrent()) {
      POOL.submit(() -> tracing.childSpan("task")).get(10, TimeUnit.SECONDS);
    } finally {
      request.end();
    }
    tracing.assertChildOf("task", request);
  }

  @Test
  @Timeout(10)
  @SuppressWarnings("try")
  void scopeLeftOpenInATask_endsWithTheTask() throws Exception {
    Span request = tracing.tracer.spanBuilder("request").startSpan();
    try (Scope ignored = request.makeCurrent()) {
      POOL.submit(
              () -> {
                Span leaked = tracing.tracer.spanBuilder("leaked").startSpan();
                leaked.makeCurrent(); // never closed
                leaked.end();
              })
          .get(10, TimeUnit.SECONDS);
      POOL.submit(() -> tracing.childSpan("next")).get(10, TimeUnit.SECONDS);
    } finally {
      request.end();
    }
    tracing.assertChildOf("next", request);
  }

  @Test
  @SuppressWarnings("try")
  void tetherStorageAndOpenTelemetryContext_nestIndependently() {
    AsyncLocalStorage<String> requestId = new AsyncLocalStorage<>("requestId");
    Context withUser = Context.root().with(USER, "ada");
    String seen =
        requestId.run(
            "r-1",
            () -> {
              try (Scope ignored = withUser.makeCurrent()) {
                return requestId.getStore() + "/" + Context.current().get(USER);
              }
            });
    assertThat(seen).isEqualTo("r-1/ada");
  }
}
