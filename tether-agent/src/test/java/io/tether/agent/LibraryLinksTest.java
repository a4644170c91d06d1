package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.agent.fakelib.Call;
import io.tether.agent.fakelib.CallListener;
import io.tether.agent.fakelib.Listener;
import io.tether.agent.fakelib.Loop;
import io.tether.agent.fakelib.Ordered;
import io.tether.agent.fakelib.Promise;
import io.tether.agent.fakelib.SubPromise;
import io.tether.internal.LinkedCallback;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The general mechanism of SPEC section 3.4 on a fake library declared in the test class path's
 * {@code META-INF/tether/links}, as an in-house library would be: callbacks registered with
 * something that completes later, tasks handed to a library's own queue, threads a library starts
 * for itself.
 */
@ExtendWith(AgentAttached.class)
@Timeout(30)
class LibraryLinksTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  /** Records the request it saw, and is also {@link Ordered}. */
  static final class Seen implements Listener, Ordered {
    final CompletableFuture<String> seen = new CompletableFuture<>();

    @Override
    public void done(String value) {
      seen.complete(value + "@" + REQUEST.getStore());
    }

    @Override
    public String describe() {
      return "seen@" + REQUEST.getStore();
    }

    @Override
    public int order() {
      return 7;
    }
  }

  @Test
  void listener_runsInTheRegistrationsContext_notTheCompleters() throws Exception {
    Promise a = new Promise();
    Promise b = new Promise();
    Seen seenA = new Seen();
    Seen seenB = new Seen();
    REQUEST.run("a", () -> a.addListener(seenA));
    REQUEST.run("b", () -> b.addListener(seenB));
    // Each completed from the other's context, on another thread.
    Thread t =
        new Thread(
            () -> {
              REQUEST.run("b", () -> a.complete("A"));
              REQUEST.run("a", () -> b.complete("B"));
            });
    t.start();
    t.join();
    assertThat(seenA.seen.get(5, TimeUnit.SECONDS)).isEqualTo("A@a");
    assertThat(seenB.seen.get(5, TimeUnit.SECONDS)).isEqualTo("B@b");
  }

  @Test
  void wrapper_keepsTheCallbacksInterfaces_andCallsItsOwnDefaultMethodOverrides() {
    Promise p = new Promise();
    Seen seen = new Seen();
    REQUEST.run("x", () -> p.addListener(seen));
    assertThat(p.orders()).containsExactly(7);
    assertThat(p.descriptions()).containsExactly("seen@x");
  }

  @Test
  void lambdaListener_andArrayOfListeners_areEachLinked() throws Exception {
    Promise p = new Promise();
    List<String> seen = new CopyOnWriteArrayList<>();
    Listener[] listeners = {
      v -> seen.add("first " + v + "@" + REQUEST.getStore()),
      v -> seen.add("second " + v + "@" + REQUEST.getStore())
    };
    REQUEST.run("array", () -> p.addListeners(listeners));
    assertThat(listeners[0]).isNotInstanceOf(LinkedCallback.class); // the caller's array is kept
    REQUEST.run("completer", () -> p.complete("v"));
    assertThat(seen).containsExactly("first v@array", "second v@array");
  }

  @Test
  void overridingSubclass_wrapsOnce_andRegistrationOnACompletePromiseRunsInline() throws Exception {
    SubPromise p = new SubPromise();
    try (RecordingHook recorder = new RecordingHook().enable()) {
      Seen seen = new Seen();
      REQUEST.run("sub", () -> p.addListener(seen));
      REQUEST.run("other", () -> p.complete("S"));
      assertThat(seen.seen.get(5, TimeUnit.SECONDS)).isEqualTo("S@sub");
      List<Long> ids = recorder.idsOfTypeFromThisThread("FAKE_LISTENER");
      assertThat(ids).hasSize(1);
      assertThat(recorder.awaitDestroy(ids.get(0))).isTrue();
      assertThat(recorder.eventsOf(ids.get(0)))
          .containsExactly("init", "before", "after", "destroy");
    }
    Seen late = new Seen();
    REQUEST.run("late", () -> p.addListener(late));
    assertThat(late.seen.get(5, TimeUnit.SECONDS)).isEqualTo("S@late");
  }

  @Test
  void abstractListenerClass_isExtended_andEveryCallRunsInTheStartsContext() throws Exception {
    Call first = new Call.Impl();
    Call second = new Call.Impl();
    List<String> seen = new CopyOnWriteArrayList<>();
    class Recording extends CallListener {
      @Override
      public void onMessage(String message) {
        seen.add(message + "@" + REQUEST.getStore() + " " + name());
      }

      @Override
      public void onClose(int status) {
        seen.add("close " + status + "@" + REQUEST.getStore());
      }

      @Override
      protected String name() {
        return "recording";
      }
    }
    REQUEST.run("first", () -> first.start(new Recording()));
    REQUEST.run("second", () -> second.start(new Recording()));
    // The bleed scenario: the first call's message is delivered from the second's work.
    REQUEST.run("second", () -> first.deliver("m1"));
    REQUEST.run("first", () -> second.deliver("m2"));
    first.close(0);
    assertThat(seen).containsExactly("m1@first recording", "m2@second recording", "close 0@first");
  }

  @Test
  void taskHandedToALibrarysQueue_runsInTheHandOffsContext_andTheLibrarysThreadStartsEmpty()
      throws Exception {
    Loop loop = new Loop();
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    CompletableFuture<String> undeclared = new CompletableFuture<>();
    CountDownLatch ran = new CountDownLatch(1);
    REQUEST.run(
        "starter",
        () ->
            loop.submit(
                () -> {
                  first.complete(String.valueOf(REQUEST.getStore()));
                  ran.countDown();
                }));
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    REQUEST.run("other", () -> loop.submit(() -> second.complete(REQUEST.getStore())));
    // A hand-off nobody declared: the loop thread's own context, which no request pinned.
    REQUEST.run(
        "unlinked",
        () -> loop.submitUndeclared(() -> undeclared.complete(String.valueOf(REQUEST.getStore()))));
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("starter");
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("other");
    assertThat(undeclared.get(5, TimeUnit.SECONDS)).isEqualTo("null");
  }

  @Test
  void taskAndThreadsOnOneMethod_theTaskIsLinked_theThreadStartsEmpty() throws Exception {
    Loop loop = new Loop();
    CompletableFuture<String> task = new CompletableFuture<>();
    CompletableFuture<String> undeclared = new CompletableFuture<>();
    REQUEST.run("both", () -> loop.execute(() -> task.complete(REQUEST.getStore())));
    assertThat(task.get(5, TimeUnit.SECONDS)).isEqualTo("both");
    loop.submitUndeclared(() -> undeclared.complete(String.valueOf(REQUEST.getStore())));
    assertThat(undeclared.get(5, TimeUnit.SECONDS)).isEqualTo("null");
  }

  @Test
  void exceptedClass_passesUnwrapped() throws Exception {
    Promise p = new Promise();
    CompletableFuture<String> seen = new CompletableFuture<>();
    Promise.Raw raw = v -> seen.complete(v + "@" + REQUEST.getStore());
    REQUEST.run("registrar", () -> p.addListener(raw));
    REQUEST.run("completer", () -> p.complete("R"));
    assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("R@completer");
  }

  @Test
  void parameterErasedToObject_theWrapperImplementsTheCallbacksInterfaces() throws Exception {
    Promise p = new Promise();
    Seen seen = new Seen();
    REQUEST.run("erased", () -> p.addErased(seen));
    assertThat(p.orders()).containsExactly(7);
    REQUEST.run("completer", () -> p.complete("E"));
    assertThat(seen.seen.get(5, TimeUnit.SECONDS)).isEqualTo("E@erased");
  }

  @Test
  void jdkClassCallback_isWrappedToo() throws Exception {
    Loop loop = new Loop();
    java.util.concurrent.FutureTask<String> task =
        new java.util.concurrent.FutureTask<>(() -> String.valueOf(REQUEST.getStore()));
    REQUEST.run("jdk", () -> loop.submit(task));
    assertThat(task.get(5, TimeUnit.SECONDS)).isEqualTo("jdk");
  }
}
