package io.tether.benchmarks;

import com.alibaba.ttl.TransmittableThreadLocal;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.tether.AsyncHook;
import io.tether.AsyncLocalStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The price of a java agent on plain, unwrapped JDK concurrency: nothing here wraps an executor or
 * a task, so that between runs only the agent attached to the forked JVM changes. Meant to be run
 * by {@link AgentOverheadRunner}, which runs this class once with no agent, with Tether's agent
 * (with no hook and with one no-op async hook), with the OpenTelemetry java agent and with the
 * TransmittableThreadLocal agent, and prints the times side by side with their ratio to no agent.
 *
 * <ul>
 *   <li>{@code executorHop}: {@code executor.submit(task).get()} on a plain {@code
 *       Executors.newSingleThreadExecutor()} (its worker a daemon thread, so that a failed trial
 *       still lets the fork exit);
 *   <li>{@code completableFutureChain}: {@code supplyAsync} on that executor and 9 more stages,
 *       {@code thenApplyAsync} on the same executor and {@code thenApply} in turn, then {@code
 *       join()};
 *   <li>{@code parallelStream}: {@code IntStream.range(0, 10_000).parallel().map(...).sum()} on the
 *       common fork/join pool;
 *   <li>{@code forkJoinTasks} (not among {@link AgentOverheadRunner}'s): one task on the common
 *       pool that forks {@value #FORKED} small tasks and joins them, so that nearly all of the time
 *       is the forks' own, on one worker, without the wake-ups that make the stream's time scatter:
 *       the price of the agent's link of a forked task, resolved;
 *   <li>{@code submittedTasks} (not among the runner's either): {@value #FORKED} small tasks
 *       submitted to the executor at once (each a {@code FutureTask}), then every result awaited:
 *       the worker finds the queue full rather than parking between tasks, so what is measured is
 *       submission, run and result, the hop's wake-ups mostly gone.
 * </ul>
 *
 * <p>The calling thread holds one value in each agent's own context mechanism, so that every agent
 * has something to carry: a Tether {@link AsyncLocalStorage} (entered with {@code enterWith}), a
 * {@link TransmittableThreadLocal} and an OpenTelemetry {@link Context} made current. The tasks
 * read all three (the OpenTelemetry agent carries the application's {@code Context} because {@code
 * opentelemetry-api} is on the class path, which makes it bridge that {@code Context} to its own;
 * with no span and no value current it would carry nothing). Which agents are attached is detected
 * in the fork itself, and the value of each attached agent's mechanism is checked in the task, in
 * every stage of the chain and in every {@value #STREAM_CHECK_EVERY}th element of the stream: a run
 * whose agent fails to propagate throws. With no agent nothing is checked (a task on a worker
 * thread reads nothing). With {@code -Dtether.bench.noopHook=true} one Tether async hook whose five
 * callbacks do nothing is enabled for the whole trial: the price of the hook machinery under the
 * agent.
 *
 * <p>The executor hop and the chain are dominated by thread hand-offs and wake-ups, so run on an
 * otherwise idle machine.
 *
 * <p>Run (all agent configurations and the start-up comparison, one table): {@code java -cp
 * tether-benchmarks/target/benchmarks.jar io.tether.benchmarks.AgentOverheadRunner}. One
 * configuration alone, e.g. Tether's agent: {@code java -jar
 * tether-benchmarks/target/benchmarks.jar AgentOverheadBenchmark -jvmArgsAppend
 * -javaagent:tether-benchmarks/target/agents/tether-agent.jar}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class AgentOverheadBenchmark {

  /** The system property that enables the no-op Tether async hook. */
  public static final String NOOP_HOOK_PROPERTY = "tether.bench.noopHook";

  static final int CHAIN_STAGES = 10;
  static final int STREAM_SIZE = 10_000;
  static final int STREAM_CHECK_EVERY = 1_000;
  static final int FORKED = 1_000;

  /** The bit of each mechanism in {@link #seen()}. */
  static final int TETHER = 1;

  static final int TTL = 2;
  static final int OTEL = 4;

  private static final String VALUE = Harness.VALUE;
  private static final ContextKey<String> OTEL_KEY = ContextKey.named("agent-overhead");

  /** What one stream element adds up to when its check passes: {@code i & 7}. */
  private static final int STREAM_SUM = IntStream.range(0, STREAM_SIZE).map(i -> i & 7).sum();

  /** What a stream element whose check fails adds: makes the sum wrong for sure. */
  private static final int STREAM_MISS = -STREAM_SIZE * 8;

  private final AsyncLocalStorage<String> storage = new AsyncLocalStorage<>("agent-overhead");
  private final TransmittableThreadLocal<String> ttl = new TransmittableThreadLocal<>();

  /** The mechanisms whose value must arrive in the tasks: those of the agents attached. */
  private int expected;

  private ExecutorService executor;
  private AsyncHook hook;
  private io.opentelemetry.context.Scope otelScope;

  private final Callable<Integer> hopTask = this::seen;
  private final Supplier<Integer> firstStage = () -> arrived() ? 1 : 0;
  private final Function<Integer, Integer> nextStage = n -> arrived() ? n + 1 : n;
  private final IntUnaryOperator streamElement =
      i -> i % STREAM_CHECK_EVERY != 0 || arrived() ? i & 7 : STREAM_MISS;

  @Setup
  public void setUp() throws Exception {
    Agents agents = Agents.detect();
    expected = (agents.tether ? TETHER : 0) | (agents.ttl ? TTL : 0) | (agents.otel ? OTEL : 0);
    executor =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "agent-overhead-worker");
              thread.setDaemon(
                  true); // a failed trial skips the tear-down: let the fork exit all the same
              return thread;
            });
    // Start the worker now, before any value is set: a thread started later would inherit the
    // values (TTL is an InheritableThreadLocal; the agents carry context into new threads) instead
    // of receiving them through the submitted task.
    executor.submit(() -> {}).get();
    if (Boolean.getBoolean(NOOP_HOOK_PROPERTY)) {
      if (!agents.tether) {
        throw new IllegalStateException(NOOP_HOOK_PROPERTY + " needs Tether's agent");
      }
      hook = Harness.enableNoopHook();
    }
    System.out.println(
        "# AgentOverheadBenchmark: agents "
            + agents
            + ", no-op hook "
            + (hook != null)
            + ", checking "
            + describe(expected));
  }

  /** Per iteration, so that the values are surely set on the thread that runs the iteration. */
  @Setup(Level.Iteration)
  public void enter() {
    storage.enterWith(VALUE);
    ttl.set(VALUE);
    otelScope = Context.current().with(OTEL_KEY, VALUE).makeCurrent();
  }

  @TearDown(Level.Iteration)
  public void exit() {
    otelScope.close();
    ttl.remove();
    storage.enterWith(null);
  }

  @TearDown
  public void tearDown() throws InterruptedException {
    if (hook != null) {
      hook.disable();
    }
    executor.shutdown();
    executor.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Benchmark
  public int executorHop() throws Exception {
    int seen = executor.submit(hopTask).get();
    if ((seen & expected) != expected) {
      throw new IllegalStateException(
          "executorHop: the task saw "
              + describe(seen)
              + ", expected at least "
              + describe(expected));
    }
    return seen;
  }

  @Benchmark
  public int completableFutureChain() {
    CompletableFuture<Integer> future = CompletableFuture.supplyAsync(firstStage, executor);
    for (int stage = 1; stage < CHAIN_STAGES; stage++) {
      future =
          stage % 2 == 1 ? future.thenApplyAsync(nextStage, executor) : future.thenApply(nextStage);
    }
    int arrived = future.join();
    if (arrived != CHAIN_STAGES) {
      throw new IllegalStateException(
          "completableFutureChain: "
              + describe(expected)
              + " arrived in "
              + arrived
              + " of "
              + CHAIN_STAGES
              + " stages");
    }
    return arrived;
  }

  @Benchmark
  public int forkJoinTasks() {
    int arrived = ForkJoinPool.commonPool().invoke(new Forks());
    if (arrived != FORKED) {
      throw new IllegalStateException(
          "forkJoinTasks: " + describe(expected) + " arrived in " + arrived + " of " + FORKED);
    }
    return arrived;
  }

  @Benchmark
  public int submittedTasks() throws Exception {
    List<Future<Integer>> futures = new ArrayList<>(FORKED);
    for (int i = 0; i < FORKED; i++) {
      futures.add(executor.submit(checkedTask));
    }
    int arrived = 0;
    for (Future<Integer> f : futures) {
      arrived += f.get();
    }
    if (arrived != FORKED) {
      throw new IllegalStateException(
          "submittedTasks: " + describe(expected) + " arrived in " + arrived + " of " + FORKED);
    }
    return arrived;
  }

  private final Callable<Integer> checkedTask = () -> arrived() ? 1 : 0;

  /** Forks {@value #FORKED} tasks that each check the context, and joins them. */
  @SuppressWarnings("serial") // never serialized
  final class Forks extends RecursiveTask<Integer> {
    @Override
    protected Integer compute() {
      Checked[] forked = new Checked[FORKED];
      for (int i = 0; i < FORKED; i++) {
        forked[i] = new Checked();
        forked[i].fork();
      }
      int arrived = 0;
      for (int i = FORKED - 1; i >= 0; i--) {
        arrived += forked[i].join();
      }
      return arrived;
    }
  }

  /** 1 if every expected mechanism's value arrived in the task. */
  @SuppressWarnings("serial") // never serialized
  final class Checked extends RecursiveTask<Integer> {
    @Override
    protected Integer compute() {
      return arrived() ? 1 : 0;
    }
  }

  @Benchmark
  public int parallelStream() {
    int sum = IntStream.range(0, STREAM_SIZE).parallel().map(streamElement).sum();
    if (sum != STREAM_SUM) {
      throw new IllegalStateException(
          "parallelStream: "
              + describe(expected)
              + " did not arrive in every checked element (sum "
              + sum
              + ", not "
              + STREAM_SUM
              + ")");
    }
    return sum;
  }

  /** Which mechanisms' values this thread sees now, as bits. */
  int seen() {
    return (storage.getStore() == VALUE ? TETHER : 0)
        | (ttl.get() == VALUE ? TTL : 0)
        | (Context.current().get(OTEL_KEY) == VALUE ? OTEL : 0);
  }

  /** Whether every expected mechanism's value is seen here. */
  boolean arrived() {
    return (seen() & expected) == expected;
  }

  static String describe(int mechanisms) {
    if (mechanisms == 0) {
      return "nothing";
    }
    StringBuilder sb = new StringBuilder();
    if ((mechanisms & TETHER) != 0) {
      sb.append("tether ");
    }
    if ((mechanisms & TTL) != 0) {
      sb.append("ttl ");
    }
    if ((mechanisms & OTEL) != 0) {
      sb.append("otel ");
    }
    return sb.toString().trim();
  }

  /** The java agents attached to this JVM. */
  static final class Agents {
    final boolean tether;
    final boolean ttl;
    final boolean otel;

    private Agents(boolean tether, boolean ttl, boolean otel) {
      this.tether = tether;
      this.ttl = ttl;
      this.otel = otel;
    }

    static Agents detect() {
      ClassLoader system = ClassLoader.getSystemClassLoader();
      // An agent jar is on the system class path only when it is attached; Tether's agent also
      // says whether it installed. TTL's classes are in benchmarks.jar anyway: ask TtlAgent.
      boolean tether = false;
      try {
        Class<?> agent = Class.forName("io.tether.agent.TetherAgent", true, system);
        tether = (Boolean) agent.getMethod("isInstalled").invoke(null);
        if (!tether) {
          throw new IllegalStateException("Tether's agent is attached but not installed");
        }
      } catch (ClassNotFoundException e) {
        // not attached
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      boolean ttl = com.alibaba.ttl.threadpool.agent.TtlAgent.isTtlAgentLoaded();
      boolean otel = present(system, "io.opentelemetry.javaagent.OpenTelemetryAgent");
      return new Agents(tether, ttl, otel);
    }

    private static boolean present(ClassLoader loader, String name) {
      try {
        Class.forName(name, false, loader);
        return true;
      } catch (ClassNotFoundException e) {
        return false;
      }
    }

    @Override
    public String toString() {
      String s = (tether ? "tether " : "") + (ttl ? "ttl " : "") + (otel ? "otel " : "");
      return s.isEmpty() ? "none" : s.trim();
    }
  }
}
