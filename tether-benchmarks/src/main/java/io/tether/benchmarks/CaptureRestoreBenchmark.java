package io.tether.benchmarks;

import com.alibaba.ttl.TransmittableThreadLocal;
import com.alibaba.ttl.TtlRunnable;
import io.micrometer.context.ContextSnapshotFactory;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.tether.AsyncLocalStorage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Capturing the current context into a task wrapper and running the task through it, on the same
 * thread, with {@code storages} values set in each mechanism: what every executor hop pays, minus
 * the hop. Tether {@code AsyncLocalStorage.bind(task).run()} and {@code
 * AsyncLocalStorage.snapshot().run(task)}, TTL {@code TtlRunnable.get(task).run()}, OpenTelemetry
 * {@code Context.current().wrap(task).run()} and Micrometer {@code
 * factory.captureAll().wrap(task).run()} (one factory over a private registry of {@code storages}
 * ThreadLocalAccessors). The task reads the first value. Tether's capture is one reference read
 * whatever the number of storages, so its cost should not grow with them.
 *
 * <p>Run: {@code java -jar tether-benchmarks/target/benchmarks.jar CaptureRestoreBenchmark -prof
 * gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class CaptureRestoreBenchmark {

  /** How many values are set in each mechanism. */
  @Param({"1", "10"})
  public int storages;

  private AsyncLocalStorage<String>[] tether;
  private TransmittableThreadLocal<String>[] ttls;
  private ContextKey<String>[] keys;
  private ThreadLocal<String>[] micrometerLocals;
  private ContextSnapshotFactory micrometer;
  private io.opentelemetry.context.Scope otelScope;

  /** What the last task read; returned by each benchmark so that the read is not dead. */
  private String seen;

  private Runnable tetherTask;
  private Runnable ttlTask;
  private Runnable otelTask;
  private Runnable micrometerTask;

  @Setup
  public void create() {
    tether = Harness.tetherStorages(storages);
    ttls = Harness.ttls(storages);
    keys = Harness.otelKeys(storages);
    micrometerLocals = Harness.threadLocals(storages);
    micrometer = Harness.micrometerFactory(micrometerLocals);
    AsyncLocalStorage<String> storage = tether[0];
    TransmittableThreadLocal<String> ttl = ttls[0];
    ContextKey<String> key = keys[0];
    ThreadLocal<String> local = micrometerLocals[0];
    tetherTask = () -> seen = storage.getStore();
    ttlTask = () -> seen = ttl.get();
    otelTask = () -> seen = Context.current().get(key);
    micrometerTask = () -> seen = local.get();
  }

  /** Per iteration, so that the values are surely set on the thread that runs the iteration. */
  @Setup(Level.Iteration)
  public void setUp() {
    seen = null;
    Harness.enter(tether);
    Harness.set(ttls);
    otelScope = Harness.makeCurrent(keys);
    Harness.set(micrometerLocals);
  }

  @TearDown(Level.Iteration)
  public void tearDown() {
    Harness.remove(micrometerLocals);
    otelScope.close();
    Harness.remove(ttls);
    Harness.exit(tether);
    Harness.check("task", seen);
  }

  @Benchmark
  public String tetherBind() {
    AsyncLocalStorage.bind(tetherTask).run();
    return seen;
  }

  @Benchmark
  public String tetherSnapshot() {
    AsyncLocalStorage.snapshot().run(tetherTask);
    return seen;
  }

  @Benchmark
  public String ttl() {
    TtlRunnable.get(ttlTask).run();
    return seen;
  }

  @Benchmark
  public String otel() {
    Context.current().wrap(otelTask).run();
    return seen;
  }

  @Benchmark
  public String micrometer() {
    micrometer.captureAll().wrap(micrometerTask).run();
    return seen;
  }
}
