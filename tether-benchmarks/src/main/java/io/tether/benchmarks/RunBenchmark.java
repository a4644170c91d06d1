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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Running a callback with a value set and restoring the previous state afterwards, starting from an
 * empty context: Tether {@code als.run(value, callback)} beside a {@code ThreadLocal} (and a TTL)
 * set and restored in {@code try/finally}, and OpenTelemetry {@code Context.current().with(key,
 * value).makeCurrent()} closed in try-with-resources. With {@code depth} 10, ten such scopes are
 * nested, each setting another storage (key, thread local), and the innermost callback reads the
 * first value; each level is a prepared {@code Runnable}, the same shape for every mechanism. The
 * callback's read also proves that the value was set. {@code ScopedValue.where(k, v).run(r)} is
 * compared in {@code ScopedValueBenchmark} (JDK 25 builds only).
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

  /** How many scopes are nested, each setting its own storage. */
  @Param({"1", "10"})
  public int depth;

  /** What the last callback read; returned by each benchmark so that the read is not dead. */
  private String seen;

  private Runnable tether;
  private Runnable threadLocal;
  private Runnable ttl;
  private Runnable otel;

  @Setup
  public void create() {
    AsyncLocalStorage<String>[] storages = Harness.tetherStorages(depth);
    ThreadLocal<String>[] locals = Harness.threadLocals(depth);
    TransmittableThreadLocal<String>[] ttls = Harness.ttls(depth);
    ContextKey<String>[] keys = Harness.otelKeys(depth);
    tether = () -> seen = storages[0].getStore();
    threadLocal = () -> seen = locals[0].get();
    ttl = () -> seen = ttls[0].get();
    otel = () -> seen = Context.current().get(keys[0]);
    for (int i = depth - 1; i >= 0; i--) {
      String value = Harness.value(i);
      tether = tetherLevel(storages[i], value, tether);
      threadLocal = threadLocalLevel(locals[i], value, threadLocal);
      ttl = threadLocalLevel(ttls[i], value, ttl);
      otel = otelLevel(keys[i], value, otel);
    }
  }

  private static Runnable tetherLevel(
      AsyncLocalStorage<String> storage, String value, Runnable inner) {
    return () -> storage.run(value, inner);
  }

  /** TTL's {@code set(null)} is a remove, so each op also enters and leaves TTL's holder. */
  private static Runnable threadLocalLevel(
      ThreadLocal<String> local, String value, Runnable inner) {
    return () -> {
      String previous = local.get();
      local.set(value);
      try {
        inner.run();
      } finally {
        local.set(previous);
      }
    };
  }

  @SuppressWarnings("try") // the scope is only closed, never read
  private static Runnable otelLevel(ContextKey<String> key, String value, Runnable inner) {
    return () -> {
      try (io.opentelemetry.context.Scope ignored =
          Context.current().with(key, value).makeCurrent()) {
        inner.run();
      }
    };
  }

  @TearDown
  public void tearDown() {
    Harness.check("callback", seen);
  }

  @Benchmark
  public String tether() {
    tether.run();
    return seen;
  }

  @Benchmark
  public String threadLocal() {
    threadLocal.run();
    return seen;
  }

  @Benchmark
  public String ttl() {
    ttl.run();
    return seen;
  }

  @Benchmark
  public String otel() {
    otel.run();
    return seen;
  }
}
