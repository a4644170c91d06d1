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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reading the current values: Tether {@code AsyncLocalStorage.getStore()} beside {@code
 * ThreadLocal.get()}, TTL {@code TransmittableThreadLocal.get()} and OpenTelemetry {@code
 * Context.current().get(key)}, with {@code storages} values set on the benchmark thread (Tether
 * with {@code enterWith}, OpenTelemetry with {@code makeCurrent}) and each of them read once per
 * op, as separate reads (an application reads one value here, another there). None of them should
 * allocate: check {@code gc.alloc.rate.norm}. {@code ScopedValue.get()} is compared in {@code
 * ScopedValueBenchmark} (JDK 25 builds only).
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

  /** How many values are set, and read, in each mechanism. */
  @Param({"1", "10"})
  public int storages;

  private AsyncLocalStorage<String>[] tether;
  private ThreadLocal<String>[] threadLocals;
  private TransmittableThreadLocal<String>[] ttls;
  private ContextKey<String>[] keys;
  private io.opentelemetry.context.Scope otelScope;

  @Setup
  public void create() {
    tether = Harness.tetherStorages(storages);
    threadLocals = Harness.threadLocals(storages);
    ttls = Harness.ttls(storages);
    keys = Harness.otelKeys(storages);
  }

  /** Per iteration, so that the values are surely set on the thread that runs the iteration. */
  @Setup(Level.Iteration)
  public void setUp() {
    Harness.enter(tether);
    Harness.set(threadLocals);
    Harness.set(ttls);
    otelScope = Harness.makeCurrent(keys);
    Harness.check("tether", tether[0].getStore());
    Harness.check("threadLocal", threadLocals[0].get());
    Harness.check("ttl", ttls[0].get());
    Harness.check("otel", Context.current().get(keys[0]));
  }

  @TearDown(Level.Iteration)
  public void tearDown() {
    otelScope.close();
    Harness.remove(ttls);
    Harness.remove(threadLocals);
    Harness.exit(tether);
  }

  @Benchmark
  public void tether(Blackhole bh) {
    for (AsyncLocalStorage<String> storage : tether) {
      bh.consume(storage.getStore());
    }
  }

  @Benchmark
  public void threadLocal(Blackhole bh) {
    for (ThreadLocal<String> local : threadLocals) {
      bh.consume(local.get());
    }
  }

  @Benchmark
  public void ttl(Blackhole bh) {
    for (TransmittableThreadLocal<String> local : ttls) {
      bh.consume(local.get());
    }
  }

  @Benchmark
  public void otel(Blackhole bh) {
    for (ContextKey<String> key : keys) {
      bh.consume(Context.current().get(key));
    }
  }
}
