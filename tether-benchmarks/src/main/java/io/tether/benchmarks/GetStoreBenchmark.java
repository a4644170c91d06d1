package io.tether.benchmarks;

import com.alibaba.ttl.TransmittableThreadLocal;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading the current value: Tether {@code AsyncLocalStorage.getStore()} beside {@code
 * ThreadLocal.get()}, TTL {@code TransmittableThreadLocal.get()} and OpenTelemetry {@code
 * Context.current().get(key)}, each with one value set on the benchmark thread (Tether with {@code
 * enterWith}, OpenTelemetry with {@code makeCurrent}). None of them should allocate: check {@code
 * gc.alloc.rate.norm}. {@code ScopedValue.get()} is compared in {@code ScopedValueBenchmark} (JDK
 * 25 builds only).
 *
 * <p>Run: {@code java -jar tether-benchmarks/target/benchmarks.jar GetStoreBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class GetStoreBenchmark {

  private final AsyncLocalStorage<String>[] storages = Harness.tetherStorages(1);
  private final ThreadLocal<String>[] threadLocals = Harness.threadLocals(1);
  private final TransmittableThreadLocal<String>[] ttls = Harness.ttls(1);
  private final ContextKey<String>[] keys = Harness.otelKeys(1);
  private io.opentelemetry.context.Scope otelScope;

  /** Per iteration, so that the values are surely set on the thread that runs the iteration. */
  @Setup(Level.Iteration)
  public void setUp() {
    Harness.enter(storages);
    Harness.set(threadLocals);
    Harness.set(ttls);
    otelScope = Harness.makeCurrent(keys);
    Harness.check("tether", tether());
    Harness.check("threadLocal", threadLocal());
    Harness.check("ttl", ttl());
    Harness.check("otel", otel());
  }

  @TearDown(Level.Iteration)
  public void tearDown() {
    otelScope.close();
    Harness.remove(ttls);
    Harness.remove(threadLocals);
    Harness.exit(storages);
  }

  @Benchmark
  public String tether() {
    return storages[0].getStore();
  }

  @Benchmark
  public String threadLocal() {
    return threadLocals[0].get();
  }

  @Benchmark
  public String ttl() {
    return ttls[0].get();
  }

  @Benchmark
  public String otel() {
    return Context.current().get(keys[0]);
  }
}
