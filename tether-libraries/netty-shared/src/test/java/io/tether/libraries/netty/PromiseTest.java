package io.tether.libraries.netty;

import static io.tether.libraries.netty.Netty.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Sightings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A listener added to a Netty future ({@code DefaultPromise}, a channel's futures) runs in the
 * context where it was added: never in the context of the code that completes the future, on
 * whatever thread, nor in an event loop's.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class PromiseTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private final Sightings seen = new Sightings(Netty.REQUEST);
  private EventLoopGroup group;

  @BeforeEach
  void startGroup() {
    group = Netty.newGroup(2);
  }

  @AfterEach
  void stopGroup() throws InterruptedException {
    Netty.shutdown(group);
  }

  private FutureListener<String> listener(String label) {
    return future -> seen.record(label);
  }

  /** Completes each promise inside {@code run("completer")} on a thread of its own. */
  private static void completeElsewhere(List<Promise<String>> promises)
      throws InterruptedException {
    Thread completer =
        new Thread(
            () -> REQUEST.run("completer", () -> promises.forEach(p -> p.setSuccess("done"))));
    completer.start();
    completer.join();
  }

  @Test
  void listeners_completedFromAnotherContextAndThread_runInTheirOwnContext()
      throws InterruptedException {
    EventExecutor loop = group.next();
    List<Promise<String>> promises = new ArrayList<>();
    // One notifies on its event loop, the other on the completing thread itself.
    for (EventExecutor executor : List.of(loop, ImmediateEventExecutor.INSTANCE)) {
      Promise<String> promise = new DefaultPromise<>(executor);
      REQUEST.run("x", () -> promise.addListener(listener("x")));
      REQUEST.run("y", () -> promise.addListener(listener("y")));
      promise.addListener(listener("none"));
      promises.add(promise);
    }
    completeElsewhere(promises);
    assertThat(seen.await(6))
        .containsExactlyInAnyOrder("x=x", "y=y", "none=null", "x=x", "y=y", "none=null");
  }

  @Test
  void listeners_completedOnTheLoopInAnotherContext_runInTheirOwnContext()
      throws InterruptedException {
    EventLoop loop = group.next();
    Promise<String> px = loop.newPromise();
    Promise<String> py = loop.newPromise();
    REQUEST.run("x", () -> px.addListener(listener("x")));
    // Added on the loop, inside a task that runs in another context.
    REQUEST.run(
        "loop", () -> loop.execute(() -> REQUEST.run("y", () -> py.addListener(listener("y")))));
    REQUEST.run(
        "completer",
        () ->
            loop.execute(
                () -> {
                  px.setSuccess("done");
                  py.setSuccess("done");
                }));
    assertThat(seen.await(2)).containsExactlyInAnyOrder("x=x", "y=y");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"}) // addListeners takes a generic varargs array
  void addListeners_eachRunsInTheContextTheyWereAddedIn() throws InterruptedException {
    Promise<String> promise = new DefaultPromise<>(group.next());
    FutureListener[] xs = {listener("x1"), listener("x2")};
    FutureListener[] ys = {listener("y1")};
    REQUEST.run("x", () -> promise.addListeners(xs));
    REQUEST.run("y", () -> promise.addListeners(ys));
    completeElsewhere(List.of(promise));
    assertThat(seen.await(3)).containsExactlyInAnyOrder("x1=x", "x2=x", "y1=y");
  }

  @Test
  void listeners_onAnAlreadyCompleteFuture_runInTheContextTheyWereAddedIn()
      throws InterruptedException {
    EventLoop loop = group.next();
    Promise<String> done = new DefaultPromise<>(loop);
    done.setSuccess("done");
    Future<String> succeeded = loop.newSucceededFuture("done");
    // From outside the loop: notified through the loop.
    REQUEST.run("x", () -> done.addListener(listener("x")));
    REQUEST.run("y", () -> succeeded.addListener(listener("y")));
    // From a task on the loop: notified at once.
    loop.execute(
        () -> {
          REQUEST.run("z", () -> done.addListener(listener("z")));
          REQUEST.run("w", () -> succeeded.addListener(listener("w")));
        });
    assertThat(seen.await(4)).containsExactlyInAnyOrder("x=x", "y=y", "z=z", "w=w");
  }

  /**
   * Two real loopback connections, each opened inside its own context: the listeners of its connect
   * and write futures (added outside the loop, and inside another listener on the loop) run in that
   * context; the server's reads, I/O the loop runs on its own, in none.
   */
  @Test
  void channelFutureListeners_ofRealLoopbackChannels_runInTheContextTheyWereAddedIn()
      throws InterruptedException {
    try (Loopback loopback = new Loopback(group)) {
      List<ChannelFuture> connects = new ArrayList<>();
      for (String request : List.of("x", "y")) {
        REQUEST.run(
            request,
            () -> {
              ChannelFuture connect = loopback.connect();
              connect.addListener(
                  (ChannelFuture connected) -> {
                    seen.record("connect-" + request);
                    Loopback.writeOneByte(connected.channel())
                        .addListener(written -> seen.record("write-" + request));
                  });
              connects.add(connect);
            });
      }
      assertThat(seen.await(4))
          .containsExactlyInAnyOrder("connect-x=x", "write-x=x", "connect-y=y", "write-y=y");
      assertThat(loopback.serverReads.await(2)).containsOnly("read=null");
      for (ChannelFuture connect : connects) {
        Channel channel = connect.channel();
        String request = connect == connects.get(0) ? "x2" : "y2";
        REQUEST.run(
            request,
            () ->
                Loopback.writeOneByte(channel)
                    .addListener(written -> seen.record("write-" + request)));
        REQUEST.run(
            request,
            () -> channel.closeFuture().addListener(closed -> seen.record("close-" + request)));
        REQUEST.run("closer", () -> channel.close());
      }
      assertThat(seen.await(4))
          .containsExactlyInAnyOrder("write-x2=x2", "close-x2=x2", "write-y2=y2", "close-y2=y2");
    }
  }
}
