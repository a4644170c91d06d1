package io.tether.libraries.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.tether.AsyncLocalStorage;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Isolation under load through gRPC: many concurrent calls, each started in its own request's
 * context (a {@link RequestId} object), a seeded mix of async-stub unary calls, future-stub calls
 * with a {@code Futures.addCallback} listener, and server-streaming calls. The server answers each
 * call from the next call's work: its handler enters the server side's own request id, hops to a
 * worker pool, and there answers the call that arrived before it (so on the in-process transport a
 * call's answer leaves from another request's context). Every client callback and server step must
 * see its own request id; no call may be lost; and afterwards, with the server and the channel
 * still alive, no request's store is reachable any more.
 *
 * <p>{@value #DEFAULT_CALLS} calls per transport in CI; a large run: {@code mvn -B verify -pl
 * tether-libraries/grpc -Dit.test=GrpcIsolationTest -Dtether.isolation.calls=200000} (add {@code
 * -am} after a change to the agent).
 */
@ExtendWith(AgentAttached.class)
@Timeout(600)
class GrpcIsolationTest {

  static final int DEFAULT_CALLS = 2_000;
  static final int IN_FLIGHT = 64;

  /** A request's store: one object per request, so that its reachability can be watched. */
  static final class RequestId {
    final int value;

    RequestId(int value) {
      this.value = value;
    }
  }

  enum Kind {
    ASYNC_UNARY,
    FUTURE_UNARY,
    SERVER_STREAMING
  }

  static final AsyncLocalStorage<RequestId> ID = new AsyncLocalStorage<>("requestId");

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(ID);

  static final MethodDescriptor<String, String> RELAY = method("Relay", true);
  static final MethodDescriptor<String, String> RELAY_STREAM = method("RelayStream", false);

  private final ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
  private final ReferenceQueue<RequestId> collected = new ReferenceQueue<>();
  private final Map<Reference<RequestId>, String> stores = new ConcurrentHashMap<>();

  /** Calls whose handler has run, waiting to be answered by the next call's work. */
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();

  /** Released once per call queued: the drain waits on it. */
  private final Semaphore queued = new Semaphore(0);

  private record Pending(int n, StreamObserver<String> responses, int messages) {}

  private static MethodDescriptor<String, String> method(String name, boolean unary) {
    return TestService.RENDEZVOUS.toBuilder()
        .setType(
            unary
                ? MethodDescriptor.MethodType.UNARY
                : MethodDescriptor.MethodType.SERVER_STREAMING)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("tether.Isolation", name))
        .build();
  }

  private RequestId newId(String where, int n) {
    RequestId id = new RequestId(n);
    stores.put(new WeakReference<>(id, collected), where + " " + n);
    return id;
  }

  private void step(String where, int n) {
    RequestId current = ID.getStore();
    if (current == null || current.value != n) {
      mismatches.add(
          "request "
              + n
              + " at "
              + where
              + " saw "
              + (current == null ? "none" : "request " + current.value)
              + " on "
              + Thread.currentThread().getName());
    }
  }

  private ServerServiceDefinition service(ExecutorService workers) {
    return ServerServiceDefinition.builder("tether.Isolation")
        .addMethod(
            RELAY,
            ServerCalls.asyncUnaryCall(
                (request, responses) -> relay(request, responses, 1, workers)))
        .addMethod(
            RELAY_STREAM,
            ServerCalls.asyncServerStreamingCall(
                (request, responses) -> relay(request, responses, 3, workers)))
        .build();
  }

  /**
   * The server side of call {@code request}: its own context, a hop to a worker, then it answers
   * the oldest call waiting (the one before it, mostly) and waits for a later call to answer it.
   */
  private void relay(
      String request, StreamObserver<String> responses, int messages, ExecutorService workers) {
    int n = Integer.parseInt(request);
    ID.run(
        newId("server", n),
        () ->
            CompletableFuture.runAsync(() -> step("server worker", n), workers)
                .thenRun(
                    () -> {
                      step("server stage", n);
                      Pending previous = pending.poll();
                      pending.add(new Pending(n, responses, messages));
                      queued.release();
                      if (previous != null) {
                        answer(previous);
                      }
                    }));
  }

  /** Answers the oldest queued call, from outside any context; whether there was one. */
  private boolean answerOldest() {
    Pending oldest = pending.poll();
    if (oldest != null) {
      answer(oldest);
    }
    return oldest != null;
  }

  /**
   * Waits until {@code done}, answering queued calls meanwhile when it makes no progress by itself:
   * the calls that arrive last, and any that a race between two server stages left queued, wait for
   * a next call that may never come.
   */
  private void drainUntil(BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("time left waiting for %s", what).isNegative();
      if (!answerOldest()) {
        queued.tryAcquire(20, TimeUnit.MILLISECONDS);
      }
    }
  }

  private static void answer(Pending call) {
    for (int i = 0; i < call.messages; i++) {
      call.responses.onNext(call.n + "#" + i);
    }
    call.responses.onCompleted();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void everyCallbackSeesItsOwnCall_noneIsLost_andNoStoreOutlivesItsCall(Transport transport)
      throws Exception {
    int calls = Integer.getInteger("tether.isolation.calls", DEFAULT_CALLS);
    ExecutorService workers = Executors.newFixedThreadPool(4);
    try (Transport.Rig rig = transport.start(service(workers), false)) {
      Random random = new Random(20261206);
      Semaphore slots = new Semaphore(IN_FLIGHT);
      List<CompletableFuture<Integer>> answers = new ArrayList<>(calls);
      for (int n = 0; n < calls; n++) {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        int call = n;
        if (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
          drainUntil(slots::tryAcquire, "a free slot for call " + call);
        }
        CompletableFuture<Integer> answered = new CompletableFuture<>();
        answered.whenComplete((count, failure) -> slots.release());
        answers.add(answered);
        ID.run(newId("client", n), () -> start(rig, kind, call, answered));
      }
      // The last calls wait for a next one that never comes: answered from outside any context.
      for (int i = 0; i < answers.size(); i++) {
        CompletableFuture<Integer> answer = answers.get(i);
        drainUntil(answer::isDone, "call " + i);
        assertThat(answers.get(i).get(60, TimeUnit.SECONDS))
            .as("messages of call %d", i)
            .isPositive();
      }
      assertThat(mismatches).as("steps that saw another request's id").isEmpty();
      answers.clear();

      // With the server, the channel and the pools still alive: no request's store is reachable.
      for (int i = 0; i < 50 && !stores.isEmpty(); i++) {
        System.gc();
        Reference<? extends RequestId> gone;
        while ((gone = collected.remove(100)) != null) {
          stores.remove(gone);
        }
      }
      assertThat(stores.values()).as("request stores still reachable after the load").isEmpty();
    } finally {
      workers.shutdownNow();
      assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private void start(Transport.Rig rig, Kind kind, int n, CompletableFuture<Integer> answered) {
    step("client start", n);
    String request = Integer.toString(n);
    switch (kind) {
      case ASYNC_UNARY:
        ClientCalls.asyncUnaryCall(
            rig.channel.newCall(RELAY, CallOptions.DEFAULT), request, observer(n, 1, answered));
        break;
      case SERVER_STREAMING:
        ClientCalls.asyncServerStreamingCall(
            rig.channel.newCall(RELAY_STREAM, CallOptions.DEFAULT),
            request,
            observer(n, 3, answered));
        break;
      case FUTURE_UNARY:
        {
          ListenableFuture<String> future =
              ClientCalls.futureUnaryCall(rig.channel.newCall(RELAY, CallOptions.DEFAULT), request);
          Futures.addCallback(
              future,
              new FutureCallback<>() {
                @Override
                public void onSuccess(String result) {
                  step("future callback", n);
                  answered.complete(result.equals(n + "#0") ? 1 : -1);
                }

                @Override
                public void onFailure(Throwable failure) {
                  step("future failure", n);
                  answered.completeExceptionally(failure);
                }
              },
              MoreExecutors.directExecutor());
          break;
        }
      default:
        throw new IllegalStateException(String.valueOf(kind));
    }
  }

  private StreamObserver<String> observer(
      int n, int messages, CompletableFuture<Integer> answered) {
    return new StreamObserver<>() {
      private int received;

      @Override
      public void onNext(String value) {
        step("observer onNext", n);
        if (value.equals(n + "#" + received)) {
          received++;
        }
      }

      @Override
      public void onError(Throwable failure) {
        step("observer onError", n);
        answered.completeExceptionally(failure);
      }

      @Override
      public void onCompleted() {
        step("observer onCompleted", n);
        answered.complete(received == messages ? messages : -1);
      }
    };
  }
}
