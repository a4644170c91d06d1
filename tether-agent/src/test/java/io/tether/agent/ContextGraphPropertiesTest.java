package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncLocalStorage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Phaser;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random async programs over the boundaries the agent covers, with nested {@code run}, {@code exit}
 * and {@code enterWith} of two storages, checked at every step against a model of Node's semantics:
 * a continuation sees the context of its link point; {@code run} and {@code exit} set their storage
 * for their callback and restore only that storage after it; {@code enterWith} holds for the rest
 * of the current continuation. A failing program is shrunk by jqwik to a minimal one, printed with
 * its seed.
 */
class ContextGraphPropertiesTest {

  static final AsyncLocalStorage<String> A = new AsyncLocalStorage<>("A");
  static final AsyncLocalStorage<String> B = new AsyncLocalStorage<>("B");
  static final List<AsyncLocalStorage<String>> STORAGES = List.of(A, B);

  /** The boundaries a program hops across. */
  enum Boundary {
    POOL,
    SCHEDULED,
    FUTURE_ASYNC,
    FUTURE_STAGE,
    THREAD,
    TIMER,
    FORK_JOIN
  }

  interface Op {}

  /** Compares the storages' values with the model's. */
  record Check() implements Op {
    @Override
    public String toString() {
      return "check";
    }
  }

  record Run(int storage, String value, List<Op> body) implements Op {}

  record Exit(int storage, List<Op> body) implements Op {}

  record EnterWith(int storage, String value) implements Op {}

  record Hop(Boundary boundary, List<Op> body) implements Op {}

  private static ExecutorService pool;
  private static ExecutorService completer;
  private static ScheduledExecutorService scheduler;
  private static ForkJoinPool forkJoin;
  private static Timer timer;

  @BeforeContainer
  static void startPools() {
    pool = Executors.newFixedThreadPool(3);
    completer = Executors.newFixedThreadPool(2);
    scheduler = Executors.newScheduledThreadPool(1);
    forkJoin = new ForkJoinPool(2);
    timer = new Timer("property-timer", true);
  }

  @AfterContainer
  static void stopPools() throws InterruptedException {
    timer.cancel();
    for (ExecutorService e : List.of(pool, completer, scheduler, forkJoin)) {
      e.shutdown();
      assertThat(e.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  // ---- generation ----

  @Provide
  Arbitrary<List<Op>> programs() {
    return ops(3);
  }

  private static Arbitrary<List<Op>> ops(int depth) {
    return op(depth).list().ofMinSize(1).ofMaxSize(4);
  }

  private static Arbitrary<Op> op(int depth) {
    Arbitrary<Integer> storage = Arbitraries.integers().between(0, 1);
    Arbitrary<String> value = Arbitraries.of("v1", "v2", "v3");
    Arbitrary<Op> leaf =
        Arbitraries.oneOf(
            Arbitraries.just(new Check()), Combinators.combine(storage, value).as(EnterWith::new));
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<List<Op>> body = Arbitraries.lazy(() -> ops(depth - 1));
    return Arbitraries.frequencyOf(
        Tuple.of(3, leaf),
        Tuple.of(2, Combinators.combine(storage, value, body).as(Run::new)),
        Tuple.of(1, Combinators.combine(storage, body).as(Exit::new)),
        Tuple.of(3, Combinators.combine(Arbitraries.of(Boundary.class), body).as(Hop::new)));
  }

  // ---- the model and the interpreter ----

  /** One run of a program: where its checks go, and the async work still running. */
  private static final class Execution {
    final ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
    final Phaser pending = new Phaser(1);
    int checks;

    void check(String[] expected, String where) {
      String[] actual = {A.getStore(), B.getStore()};
      synchronized (this) {
        checks++;
      }
      if (!Arrays.equals(expected, actual)) {
        mismatches.add(
            where
                + ": expected "
                + Arrays.toString(expected)
                + ", saw "
                + Arrays.toString(actual)
                + " on "
                + Thread.currentThread().getName());
      }
    }

    /** Runs {@code ops} here; {@code model} is the context the model says is current. */
    void block(List<Op> ops, String[] model, String where) {
      check(model, where + " start");
      for (int i = 0; i < ops.size(); i++) {
        Op op = ops.get(i);
        String at = where + "/" + i;
        if (op instanceof Check) {
          check(model, at);
        } else if (op instanceof EnterWith) {
          EnterWith e = (EnterWith) op;
          STORAGES.get(e.storage()).enterWith(e.value());
          model[e.storage()] = e.value();
        } else if (op instanceof Run) {
          Run r = (Run) op;
          scoped(r.storage(), r.value(), r.body(), model, at + " run");
        } else if (op instanceof Exit) {
          Exit x = (Exit) op;
          scoped(x.storage(), null, x.body(), model, at + " exit");
        } else {
          Hop h = (Hop) op;
          hop(h.boundary(), h.body(), model.clone(), at + " " + h.boundary());
        }
      }
      check(model, where + " end");
    }

    /** {@code run}/{@code exit}: only the storage it sets is restored after it. */
    private void scoped(int storage, String value, List<Op> body, String[] model, String at) {
      String before = model[storage];
      String[] inner = model.clone();
      inner[storage] = value;
      Runnable callback = () -> block(body, inner, at);
      if (value == null) {
        STORAGES.get(storage).exit(callback);
      } else {
        STORAGES.get(storage).run(value, callback);
      }
      // What the body's enterWith did to the other storage stays; this one is restored.
      for (int s = 0; s < model.length; s++) {
        model[s] = s == storage ? before : inner[s];
      }
    }

    private void hop(Boundary boundary, List<Op> body, String[] linked, String at) {
      pending.register();
      Runnable task =
          () -> {
            try {
              block(body, linked, at);
            } catch (Throwable t) {
              mismatches.add(at + ": threw " + t);
            } finally {
              pending.arriveAndDeregister();
            }
          };
      switch (boundary) {
        case POOL:
          pool.execute(task);
          break;
        case SCHEDULED:
          scheduler.schedule(task, 1, TimeUnit.MILLISECONDS);
          break;
        case FUTURE_ASYNC:
          CompletableFuture.runAsync(task, pool);
          break;
        case FUTURE_STAGE:
          {
            // Registered here, completed by a thread with another context: runs in this one.
            CompletableFuture<Void> source = new CompletableFuture<>();
            source.thenRun(task);
            completer.execute(
                () -> A.run("noise", () -> B.run("noise", () -> source.complete(null))));
            break;
          }
        case THREAD:
          new Thread(task, "property-thread").start();
          break;
        case TIMER:
          timer.schedule(
              new TimerTask() {
                @Override
                public void run() {
                  task.run();
                }
              },
              0);
          break;
        case FORK_JOIN:
          {
            RecursiveAction action =
                new RecursiveAction() {
                  @Override
                  protected void compute() {
                    task.run();
                  }
                };
            if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == forkJoin) {
              action.fork();
            } else {
              forkJoin.execute(action);
            }
            break;
          }
        default:
          throw new IllegalStateException(String.valueOf(boundary));
      }
    }
  }

  @Property(tries = 150, shrinking = ShrinkingMode.FULL)
  void everyContinuationSeesItsLinkPointsContext(@ForAll("programs") List<Op> program)
      throws Exception {
    Execution execution = new Execution();
    // Both storages scoped around the program, so that its top-level enterWith is undone after.
    A.run(null, () -> B.run(null, () -> execution.block(program, new String[2], "main")));
    try {
      execution.pending.awaitAdvanceInterruptibly(
          execution.pending.arriveAndDeregister(), 30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the program's async work did not finish in 30 s", e);
    }
    assertThat(new ArrayList<>(execution.mismatches)).as("program %s", program).isEmpty();
    assertThat(A.getStore()).isNull();
    assertThat(B.getStore()).isNull();
  }
}
