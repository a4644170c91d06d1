package io.tether.libraries.http;

import io.tether.AsyncLocalStorage;
import io.tether.testing.Waits;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/** What each callback of one request saw of {@link #REQUEST}: {@code "event=store"}, in order. */
final class Seen {

  static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

  final Queue<String> events = new ConcurrentLinkedQueue<>();
  final CompletableFuture<Void> done = new CompletableFuture<>();

  void saw(String event) {
    events.add(event + "=" + REQUEST.getStore());
  }

  /** Records {@code event} and marks the request as over. */
  void end(String event) {
    saw(event);
    done.complete(null);
  }

  List<String> awaitAll() {
    Waits.join(done);
    return List.copyOf(events);
  }
}
