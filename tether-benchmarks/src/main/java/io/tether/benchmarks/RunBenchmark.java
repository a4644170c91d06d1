package io.tether.benchmarks;

import com.alibaba.ttl.TransmittableThreadLocal;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.tether.AsyncLocalStorage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Running a callback with a value set and restoring the previous state afterwards, starting from an
 * empty context: Tether {@code als.run(value, callback)} beside a {@code ThreadLocal} (and a TTL)
 * set and restored in {@code try/finally}, and OpenTelemetry {@code Context.current().with(key,
 * value).makeCurrent()} closed in try-with-resources. The callback reads the value, so each variant
 * also proves that it set it. {@code ScopedValue.where(k, v).run(r)} is compared in {@code
 * ScopedValueBenchmark} (JDK 25 builds only).
 *
 * <p>Run: {@code java -jar tether-benchmarks/target/benchmarks.jar RunBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class RunBenchmark {

  private final AsyncLocalStorage<String> storage = Harness.tetherStorages(1)[0];
  private final ThreadLocal<String> threadLocal = Harness.threadLocals(1)[0];
  private final TransmittableThreadLocal<String> ttl = Harness.ttls(1)[0];
  private final ContextKey<String> key = Harness.otelKeys(1)[0];

  /** What the last callback read; returned by each benchmark so that the read is not dead. */
  private String seen;

  private final Runnable tetherCallback = () -> seen = storage.getStore();
  private final Runnable threadLocalCallback = () -> seen = threadLocal.get();
  private final Runnable ttlCallback = () -> seen = ttl.get();
  private final Runnable otelCallback = () -> seen = Context.current().get(key);

  @TearDown
  public void tearDown() {
    Harness.check("callback", seen);
  }

  @Benchmark
  public String tether() {
    storage.run(Harness.VALUE, tetherCallback);
    return seen;
  }

  @Benchmark
  public String threadLocal() {
    String previous = threadLocal.get();
    threadLocal.set(Harness.VALUE);
    try {
      threadLocalCallback.run();
    } finally {
      threadLocal.set(previous);
    }
    return seen;
  }

  /** TTL's {@code set(null)} is a remove, so each op also enters and leaves TTL's holder. */
  @Benchmark
  public String ttl() {
    String previous = ttl.get();
    ttl.set(Harness.VALUE);
    try {
      ttlCallback.run();
    } finally {
      ttl.set(previous);
    }
    return seen;
  }

  @Benchmark
  @SuppressWarnings("try") // the scope is only closed, never read
  public String otel() {
    try (io.opentelemetry.context.Scope ignored =
        Context.current().with(key, Harness.VALUE).makeCurrent()) {
      otelCallback.run();
    }
    return seen;
  }
}
