package io.tether.benchmarks;

import com.alibaba.ttl.TransmittableThreadLocal;
import com.alibaba.ttl.threadpool.TtlExecutors;
import io.micrometer.context.ContextExecutorService;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.tether.AsyncExecutors;
import io.tether.AsyncHook;
import io.tether.AsyncLocalStorage;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * A round trip through a single-thread executor, {@code executor.submit(task).get()}, with one
 * value set on the submitting thread in each mechanism and read by the task on the worker thread:
 * the raw executor (no propagation: its task reads a plain {@code ThreadLocal}, which is empty on
 * the worker), Tether {@code AsyncExecutors.wrap}, TTL {@code TtlExecutors.getTtlExecutorService},
 * OpenTelemetry {@code Context.taskWrapping} and Micrometer {@code ContextExecutorService.wrap}
 * (with a factory over a private registry). {@code tetherWithNoopHook} is the Tether hop with one
 * async hook enabled whose five callbacks do nothing: the price of the hook machinery itself. Every
 * propagating variant checks, on every op, that the task saw the value.
 *
 * <p>The hop (two thread hand-offs, a wake-up each) dominates; the differences between variants are
 * the cost of capturing and restoring context, plus the garbage each wrapper makes. Wake-up latency
 * depends on everything else the machine runs, so run this one on an otherwise idle machine.
 *
 * <p>Run: {@code java -jar tether-benchmarks/target/benchmarks.jar ExecutorHopBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class ExecutorHopBenchmark {

  private final AsyncLocalStorage<String>[] storages = Harness.tetherStorages(1);
  private final ThreadLocal<String>[] threadLocals = Harness.threadLocals(1);
  private final TransmittableThreadLocal<String>[] ttls = Harness.ttls(1);
  private final ContextKey<String>[] keys = Harness.otelKeys(1);
  private final ThreadLocal<String>[] micrometerLocals = Harness.threadLocals(1);
  private io.opentelemetry.context.Scope otelScope;

  private ExecutorService executor;
  private ExecutorService tetherExecutor;
  private ExecutorService ttlExecutor;
  private ExecutorService otelExecutor;
  private ExecutorService micrometerExecutor;

  private final Callable<String> rawTask = threadLocals[0]::get;
  private final Callable<String> tetherTask = storages[0]::getStore;
  private final Callable<String> ttlTask = ttls[0]::get;
  private final Callable<String> otelTask = () -> Context.current().get(keys[0]);
  private final Callable<String> micrometerTask = micrometerLocals[0]::get;

  @Setup
  public void createExecutors() throws Exception {
    executor = Executors.newSingleThreadExecutor();
    // Start the worker now, before any value is set: TTL is an InheritableThreadLocal, and a worker
    // started later would inherit the values instead of receiving them through the wrapper.
    executor.submit(() -> {}).get();
    tetherExecutor = AsyncExecutors.wrap(executor);
    ttlExecutor = TtlExecutors.getTtlExecutorService(executor);
    otelExecutor = Context.taskWrapping(executor);
    micrometerExecutor =
        ContextExecutorService.wrap(executor, Harness.micrometerFactory(micrometerLocals));
  }

  /** Per iteration, so that the values are surely set on the thread that runs the iteration. */
  @Setup(Level.Iteration)
  public void setUp() {
    Harness.enter(storages);
    Harness.set(threadLocals);
    Harness.set(ttls);
    otelScope = Harness.makeCurrent(keys);
    Harness.set(micrometerLocals);
  }

  @TearDown(Level.Iteration)
  public void tearDown() {
    Harness.remove(micrometerLocals);
    otelScope.close();
    Harness.remove(ttls);
    Harness.remove(threadLocals);
    Harness.exit(storages);
  }

  @TearDown
  public void shutdown() throws InterruptedException {
    executor.shutdown();
    executor.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** One Tether async hook, enabled for the benchmark that uses this state, doing nothing. */
  @State(Scope.Thread)
  public static class NoopHook {
    private AsyncHook hook;

    @Setup
    public void enable() {
      hook = Harness.enableNoopHook();
    }

    @TearDown
    public void disable() {
      hook.disable();
    }
  }

  @Benchmark
  public String raw() throws Exception {
    return executor.submit(rawTask).get();
  }

  @Benchmark
  public String tether() throws Exception {
    return checked("tether", tetherExecutor.submit(tetherTask).get());
  }

  @Benchmark
  public String tetherWithNoopHook(NoopHook hook) throws Exception {
    return checked("tetherWithNoopHook", tetherExecutor.submit(tetherTask).get());
  }

  @Benchmark
  public String ttl() throws Exception {
    return checked("ttl", ttlExecutor.submit(ttlTask).get());
  }

  @Benchmark
  public String otel() throws Exception {
    return checked("otel", otelExecutor.submit(otelTask).get());
  }

  @Benchmark
  public String micrometer() throws Exception {
    return checked("micrometer", micrometerExecutor.submit(micrometerTask).get());
  }

  private static String checked(String mechanism, String seen) {
    Harness.check(mechanism, seen);
    return seen;
  }
}
