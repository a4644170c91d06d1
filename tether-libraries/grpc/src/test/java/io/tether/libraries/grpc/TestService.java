package io.tether.libraries.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * A gRPC service without generated code: string messages, method descriptors built by hand, and
 * handlers from {@link ServerCalls}. Its answers are triggered by other calls' work, on purpose:
 *
 * <ul>
 *   <li>{@code Rendezvous} (unary) and {@code Repeat} (server streaming, three messages) hold every
 *       call until {@code group} calls have arrived; the handler of the last one to arrive answers
 *       them all, in arrival order. On the in-process transport that handler runs in the last
 *       call's client context, so the others' answers leave from there.
 *   <li>{@code Chat} (bidi streaming): every message any open stream sends is sent to every open
 *       stream, prefixed with the sender's first message (its name).
 * </ul>
 */
final class TestService {

  static final String NAME = "tether.Test";

  static final MethodDescriptor.Marshaller<String> STRING =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static final MethodDescriptor<String, String> RENDEZVOUS =
      method(MethodDescriptor.MethodType.UNARY, "Rendezvous");
  static final MethodDescriptor<String, String> REPEAT =
      method(MethodDescriptor.MethodType.SERVER_STREAMING, "Repeat");
  static final MethodDescriptor<String, String> CHAT =
      method(MethodDescriptor.MethodType.BIDI_STREAMING, "Chat");

  /** How many messages {@code Repeat} answers each call with. */
  static final int REPEATS = 3;

  private final int group;
  private final List<Held> held = new ArrayList<>();
  private final List<StreamObserver<String>> chatters = new CopyOnWriteArrayList<>();

  /** What each held call's handler saw of {@link GrpcCallbacksTest#REQUEST}, in arrival order. */
  final Queue<String> handlersSaw = new ConcurrentLinkedQueue<>();

  /** Released once per call that has reached the handler: tests wait for arrivals with it. */
  final Semaphore arrived = new Semaphore(0);

  /** Released once per chat stream whose first message (its name) has reached the server. */
  final Semaphore joined = new Semaphore(0);

  private record Held(String request, StreamObserver<String> responses, int messages) {}

  /**
   * A service whose held calls are answered by groups.
   *
   * @param group how many {@code Rendezvous}/{@code Repeat} calls are held before all are answered
   */
  TestService(int group) {
    this.group = group;
  }

  private static MethodDescriptor<String, String> method(
      MethodDescriptor.MethodType type, String name) {
    return MethodDescriptor.<String, String>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(NAME, name))
        .setRequestMarshaller(STRING)
        .setResponseMarshaller(STRING)
        .build();
  }

  ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(NAME)
        .addMethod(
            RENDEZVOUS,
            ServerCalls.asyncUnaryCall(
                (request, responses) -> hold(new Held(request, responses, 1))))
        .addMethod(
            REPEAT,
            ServerCalls.asyncServerStreamingCall(
                (request, responses) -> hold(new Held(request, responses, REPEATS))))
        .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(this::chat))
        .build();
  }

  private void hold(Held call) {
    handlersSaw.add(call.request + "=" + GrpcCallbacksTest.REQUEST.getStore());
    List<Held> answer = null;
    synchronized (held) {
      held.add(call);
      if (held.size() == group) {
        answer = new ArrayList<>(held);
        held.clear();
      }
    }
    arrived.release();
    if (answer != null) {
      for (Held each : answer) {
        for (int i = 0; i < each.messages; i++) {
          each.responses.onNext(each.request + "#" + i);
        }
        each.responses.onCompleted();
      }
    }
  }

  private StreamObserver<String> chat(StreamObserver<String> responses) {
    return new StreamObserver<>() {
      private String name;

      @Override
      public void onNext(String message) {
        if (name == null) {
          name = message;
          chatters.add(responses);
          joined.release();
          return;
        }
        for (StreamObserver<String> chatter : chatters) {
          synchronized (chatter) {
            chatter.onNext(name + ": " + message);
          }
        }
      }

      @Override
      public void onError(Throwable failure) {
        chatters.remove(responses);
      }

      @Override
      public void onCompleted() {
        chatters.remove(responses);
        synchronized (responses) {
          responses.onCompleted();
        }
      }
    };
  }
}
