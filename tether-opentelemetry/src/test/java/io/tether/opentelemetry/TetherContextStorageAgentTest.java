package io.tether.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.tether.testing.AgentAttached;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With the Tether agent attached: OpenTelemetry's current span follows every JDK boundary with no
 * wrapping in the application's code.
 */
@ExtendWith(AgentAttached.class)
class TetherContextStorageAgentTest {

  /**
   * Plain JDK pools, not wrapped: the agent carries the context. One thread each, so leftovers
   * show.
   */
  private static final ExecutorService POOL = Executors.newSingleThreadExecutor();

  private static final ScheduledExecutorService SCHEDULER =
      Executors.newSingleThreadScheduledExecutor();
  private final Tracing tracing = new Tracing();

  @AfterEach
  void leavesNoContext() throws Exception {
    tracing.close();
    Tracing.assertRootContext();
    assertThat(POOL.submit(() -> Context.current() == Context.root()).get(10, TimeUnit.SECONDS))
        .isTrue();
  }

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
    SCHEDULER.shutdownNow();
  }

  @Test
  @Timeout(10)
  @SuppressWarnings("try")
  void plainPools_taskSpansAreChildrenOfRequestSpan() throws Exception {
    Span request = tracing.tracer.spanBuilder("request").startSpan();
    try (Scope ignored = request.makeCurrent()) {
      POOL.submit(() -> tracing.childSpan("executor")).get(10, TimeUnit.SECONDS);
      SCHEDULER
          .schedule(() -> tracing.childSpan("scheduled"), 1, TimeUnit.MILLISECONDS)
          .get(10, TimeUnit.SECONDS);
      Thread thread = new Thread(() -> tracing.childSpan("thread"));
      thread.start();
      thread.join(10_000);
    } finally {
      request.end();
    }
    tracing.assertChildOf("executor", request);
    tracing.assertChildOf("scheduled", request);
    tracing.assertChildOf("thread", request);
  }

  @Test
  @Timeout(10)
  @SuppressWarnings("try")
  void supplyAsync_andItsStages_areChildrenOfRequestSpan() {
    Span request = tracing.tracer.spanBuilder("request").startSpan();
    CompletableFuture<Span> done;
    try (Scope ignored = request.makeCurrent()) {
      done =
          CompletableFuture.supplyAsync(() -> tracing.childSpan("supplyAsync"))
              .thenApplyAsync(s -> tracing.childSpan("thenApplyAsync"), POOL);
    } finally {
      request.end();
    }
    done.join();
    tracing.assertChildOf("supplyAsync", request);
    tracing.assertChildOf("thenApplyAsync", request);
  }

  /**
   * Node's promise semantics: a stage runs in the context where it was registered, even when a
   * thread running in another span completes its source.
   */
  @Test
  @Timeout(10)
  @SuppressWarnings("try")
  void thenApply_registeredInRequest_completedFromAnotherSpan_isChildOfRequestSpan()
      throws Exception {
    CompletableFuture<Integer> source = new CompletableFuture<>();
    AtomicReference<Thread> stageThread = new AtomicReference<>();
    Span request = tracing.tracer.spanBuilder("request").startSpan();
    CompletableFuture<Span> stage;
    try (Scope ignored = request.makeCurrent()) {
      stage =
          source.thenApply(
              v -> {
                stageThread.set(Thread.currentThread());
                return tracing.childSpan("stage");
              });
    } finally {
      request.end();
    }

    Span other = tracing.tracer.spanBuilder("other").setNoParent().startSpan();
    CountDownLatch go = new CountDownLatch(1);
    AtomicReference<Span> currentAfterComplete = new AtomicReference<>();
    Thread completer =
        new Thread(
            () -> {
              try (Scope ignored = other.makeCurrent()) {
                go.await();
                source.complete(1);
                currentAfterComplete.set(Span.current());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "completer");
    completer.start();
    go.countDown();
    completer.join(10_000);
    other.end();

    assertThat(stage.join()).isNotNull();
    assertThat(stageThread.get()).as("the completer ran the stage inline").isSameAs(completer);
    tracing.assertChildOf("stage", request);
    assertThat(currentAfterComplete.get())
        .as("the completer's context after the stage ran")
        .isSameAs(other);
  }

  @Test
  @Timeout(10)
  @SuppressWarnings("try")
  void nestedScopes_closeRestoresThePreviousSpan_inAContinuation() throws Exception {
    Span request = tracing.tracer.spanBuilder("request").startSpan();
    try (Scope ignored = request.makeCurrent()) {
      POOL.submit(
              () -> {
                Span inner = tracing.tracer.spanBuilder("inner").startSpan();
                try (Scope i = inner.makeCurrent()) {
                  tracing.childSpan("underInner");
                } finally {
                  inner.end();
                }
                tracing.childSpan("afterInner");
              })
          .get(10, TimeUnit.SECONDS);
      assertThat(Span.current()).isSameAs(request);
    } finally {
      request.end();
    }
    tracing.assertChildOf("inner", request);
    assertThat(tracing.finished("underInner").getParentSpanId())
        .isEqualTo(tracing.finished("inner").getSpanId());
    tracing.assertChildOf("afterInner", request);
  }

  @Test
  @Timeout(10)
  @SuppressWarnings("try")
  void scopeLeftOpenInATask_doesNotLeakIntoTheNextTask() throws Exception {
    POOL.submit(
            () -> {
              Span leaked = tracing.tracer.spanBuilder("leaked").startSpan();
              leaked.makeCurrent(); // never closed
              leaked.end();
            })
        .get(10, TimeUnit.SECONDS);

    assertThat(POOL.submit(() -> Span.current() == Span.getInvalid()).get(10, TimeUnit.SECONDS))
        .isTrue();
  }
}
