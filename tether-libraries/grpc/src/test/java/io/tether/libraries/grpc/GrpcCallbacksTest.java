package io.tether.libraries.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.tether.AsyncLocalStorage;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Waits;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gRPC-java under the agent: each call's callbacks (call listener, {@code StreamObserver}, a future
 * stub's listeners) run in the context where the call was started (or the listener added), whoever
 * triggers them. The service answers each call from another call's handler (see {@link
 * TestService}); on the in-process transport that handler runs in the other call's client context,
 * which the answered call's callbacks would otherwise see (a cross-request bleed). Each scenario
 * runs on the in-process and the Netty transport, with the channel's default executor and with
 * {@code directExecutor()}.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class GrpcCallbacksTest {

  static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  static Stream<Arguments> transports() {
    return Stream.of(
        Arguments.of(Transport.IN_PROCESS, false),
        Arguments.of(Transport.IN_PROCESS, true),
        Arguments.of(Transport.NETTY, false),
        Arguments.of(Transport.NETTY, true));
  }

  /** What each callback of a call saw: {@code "event=store"}, in order. */
  static final class Seen {
    final Queue<String> events = new ConcurrentLinkedQueue<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final Semaphore arrivals = new Semaphore(0);

    void saw(String event) {
      events.add(event + "=" + REQUEST.getStore());
      arrivals.release();
    }

    List<String> awaitAll() {
      Waits.join(done);
      return List.copyOf(events);
    }
  }

  /** A {@code StreamObserver} that records what context each of its callbacks saw. */
  static StreamObserver<String> observer(Seen seen) {
    return new StreamObserver<>() {
      @Override
      public void onNext(String value) {
        seen.saw("next " + value);
      }

      @Override
      public void onError(Throwable failure) {
        seen.saw("error " + Status.fromThrowable(failure).getCode());
        seen.done.complete(null);
      }

      @Override
      public void onCompleted() {
        seen.saw("completed");
        seen.done.complete(null);
      }
    };
  }

  private static void acquire(Semaphore semaphore, int permits) {
    try {
      assertThat(semaphore.tryAcquire(permits, Waits.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
          .as("arrivals")
          .isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest(name = "{0}, direct executor {1}")
  @MethodSource("transports")
  void unaryObserver_seesItsCall_whenAnotherCallsHandlerAnswersIt(
      Transport transport, boolean direct) throws Exception {
    TestService service = new TestService(2);
    try (Transport.Rig rig = transport.start(service.definition(), direct)) {
      Seen a = new Seen();
      Seen b = new Seen();
      REQUEST.run(
          "a",
          () ->
              ClientCalls.asyncUnaryCall(
                  rig.channel.newCall(TestService.RENDEZVOUS, CallOptions.DEFAULT),
                  "a",
                  observer(a)));
      acquire(service.arrived, 1); // a is held; b's handler answers both
      REQUEST.run(
          "b",
          () ->
              ClientCalls.asyncUnaryCall(
                  rig.channel.newCall(TestService.RENDEZVOUS, CallOptions.DEFAULT),
                  "b",
                  observer(b)));
      assertThat(a.awaitAll()).containsExactly("next a#0=a", "completed=a");
      assertThat(b.awaitAll()).containsExactly("next b#0=b", "completed=b");
    }
  }

  @ParameterizedTest(name = "{0}, direct executor {1}")
  @MethodSource("transports")
  void serverStreamingObserver_seesItsCall_inEveryMessage(Transport transport, boolean direct)
      throws Exception {
    TestService service = new TestService(3);
    try (Transport.Rig rig = transport.start(service.definition(), direct)) {
      List<String> names = List.of("a", "b", "c");
      List<Seen> seen = List.of(new Seen(), new Seen(), new Seen());
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        Seen each = seen.get(i);
        REQUEST.run(
            name,
            () ->
                ClientCalls.asyncServerStreamingCall(
                    rig.channel.newCall(TestService.REPEAT, CallOptions.DEFAULT),
                    name,
                    observer(each)));
      }
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        assertThat(seen.get(i).awaitAll())
            .containsExactly(
                "next " + name + "#0=" + name,
                "next " + name + "#1=" + name,
                "next " + name + "#2=" + name,
                "completed=" + name);
      }
    }
  }

  @ParameterizedTest(name = "{0}, direct executor {1}")
  @MethodSource("transports")
  void callListener_behindAnInterceptor_seesItsCall_inEveryCallback(
      Transport transport, boolean direct) throws Exception {
    TestService service = new TestService(2);
    Seen intercepted = new Seen();
    // An application interceptor with a listener of its own: both it and the application's
    // listener see the call's context.
    ClientInterceptor interceptor =
        new ClientInterceptor() {
          @Override
          public <Q, R> ClientCall<Q, R> interceptCall(
              MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(
                next.newCall(method, options)) {
              @Override
              public void start(Listener<R> listener, Metadata headers) {
                super.start(
                    new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                        listener) {
                      @Override
                      public void onClose(Status status, Metadata trailers) {
                        intercepted.saw("interceptor close");
                        super.onClose(status, trailers);
                      }
                    },
                    headers);
              }
            };
          }
        };
    try (Transport.Rig rig = transport.start(service.definition(), direct)) {
      Channel channel = ClientInterceptors.intercept(rig.channel, interceptor);
      Seen a = new Seen();
      Seen b = new Seen();
      startRaw(channel, "a", a);
      acquire(service.arrived, 1);
      startRaw(channel, "b", b);
      assertThat(a.awaitAll()).containsExactly("headers=a", "message a#0=a", "close OK=a");
      assertThat(b.awaitAll()).containsExactly("headers=b", "message b#0=b", "close OK=b");
      assertThat(intercepted.events)
          .containsExactlyInAnyOrder("interceptor close=a", "interceptor close=b");
    }
  }

  /** Starts a unary call with a raw listener in {@code name}'s context. */
  private static void startRaw(Channel channel, String name, Seen seen) {
    REQUEST.run(
        name,
        () -> {
          ClientCall<String, String> call =
              channel.newCall(TestService.RENDEZVOUS, CallOptions.DEFAULT);
          call.start(
              new ClientCall.Listener<>() {
                @Override
                public void onHeaders(Metadata headers) {
                  seen.saw("headers");
                }

                @Override
                public void onMessage(String message) {
                  seen.saw("message " + message);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                  seen.saw("close " + status.getCode());
                  seen.done.complete(null);
                }

                @Override
                public void onReady() {
                  if (!name.equals(REQUEST.getStore())) {
                    seen.saw("ready"); // onReady may come or not; it must see the call's context
                  }
                }
              },
              new Metadata());
          call.request(1);
          call.sendMessage(name);
          call.halfClose();
        });
  }

  @ParameterizedTest(name = "{0}, direct executor {1}")
  @MethodSource("transports")
  void futureStub_listenersSeeWhereTheyWereAdded_whenAnotherCallAnswers(
      Transport transport, boolean direct) throws Exception {
    TestService service = new TestService(2);
    try (Transport.Rig rig = transport.start(service.definition(), direct)) {
      Seen a = new Seen();
      Seen b = new Seen();
      ListenableFuture<String> first =
          REQUEST.run(
              "a",
              () ->
                  ClientCalls.futureUnaryCall(
                      rig.channel.newCall(TestService.RENDEZVOUS, CallOptions.DEFAULT), "a"));
      // Added in another context than the call's start: the listener's own context counts.
      REQUEST.run("a listener", () -> addCallback(first, a));
      acquire(service.arrived, 1);
      REQUEST.run(
          "b",
          () -> {
            ListenableFuture<String> second =
                ClientCalls.futureUnaryCall(
                    rig.channel.newCall(TestService.RENDEZVOUS, CallOptions.DEFAULT), "b");
            addCallback(second, b);
          });
      assertThat(a.awaitAll()).containsExactly("success a#0=a listener");
      assertThat(b.awaitAll()).containsExactly("success b#0=b");
    }
  }

  private static void addCallback(ListenableFuture<String> future, Seen seen) {
    Futures.addCallback(
        future,
        new FutureCallback<>() {
          @Override
          public void onSuccess(String result) {
            seen.saw("success " + result);
            seen.done.complete(null);
          }

          @Override
          public void onFailure(Throwable failure) {
            seen.saw("failure " + failure);
            seen.done.complete(null);
          }
        },
        MoreExecutors.directExecutor());
  }

  @ParameterizedTest(name = "{0}, direct executor {1}")
  @MethodSource("transports")
  void bidiObservers_seeTheirOwnCall_whenAnotherStreamsMessagesTriggerThem(
      Transport transport, boolean direct) throws Exception {
    TestService service = new TestService(1);
    try (Transport.Rig rig = transport.start(service.definition(), direct)) {
      Seen a = new Seen();
      Seen b = new Seen();
      StreamObserver<String> toA =
          REQUEST.run(
              "a",
              () ->
                  ClientCalls.asyncBidiStreamingCall(
                      rig.channel.newCall(TestService.CHAT, CallOptions.DEFAULT), observer(a)));
      StreamObserver<String> toB =
          REQUEST.run(
              "b",
              () ->
                  ClientCalls.asyncBidiStreamingCall(
                      rig.channel.newCall(TestService.CHAT, CallOptions.DEFAULT), observer(b)));
      REQUEST.run("a", () -> toA.onNext("a"));
      REQUEST.run("b", () -> toB.onNext("b"));
      acquire(service.joined, 2);
      // b's message reaches both streams from b's server-side work; then one from a, sent from
      // outside any context: every client callback still sees its own call.
      REQUEST.run("b", () -> toB.onNext("hello"));
      awaitNext(a);
      awaitNext(b);
      toA.onNext("hi");
      awaitNext(a);
      awaitNext(b);
      REQUEST.run("a", toA::onCompleted);
      toB.onCompleted();
      assertThat(a.awaitAll()).containsExactly("next b: hello=a", "next a: hi=a", "completed=a");
      assertThat(b.awaitAll()).containsExactly("next b: hello=b", "next a: hi=b", "completed=b");
    }
  }

  private static void awaitNext(Seen seen) {
    acquire(seen.arrivals, 1);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void channelFirstUsedInAContext_doesNotKeepIt_forLaterCalls(Transport transport)
      throws Exception {
    TestService service = new TestService(1);
    try (Transport.Rig rig = transport.start(service.definition(), false)) {
      // The first call starts the channel's machinery (name resolution, load balancer,
      // transport, event loops, executors' threads) in x's context.
      Seen first = new Seen();
      REQUEST.run(
          "x",
          () ->
              ClientCalls.asyncUnaryCall(
                  rig.channel.newCall(TestService.RENDEZVOUS, CallOptions.DEFAULT),
                  "first",
                  observer(first)));
      assertThat(first.awaitAll()).containsExactly("next first#0=x", "completed=x");
      Seen later = new Seen();
      ClientCalls.asyncUnaryCall(
          rig.channel.newCall(TestService.RENDEZVOUS, CallOptions.DEFAULT),
          "later",
          observer(later));
      assertThat(later.awaitAll()).containsExactly("next later#0=null", "completed=null");
      // The server's side of the later call: on Netty, its event loops (started by the first
      // call) run it; in-process, the later call's (empty) client context reaches it.
      assertThat(service.handlersSaw).endsWith("later=null");
    }
  }
}
