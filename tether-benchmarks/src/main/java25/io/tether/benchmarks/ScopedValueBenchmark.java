package io.tether.benchmarks;

import io.tether.AsyncLocalStorage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Tether beside JDK 25's {@code ScopedValue} (built only on JDK 25+), for both reading and binding.
 *
 * <p>Reading ({@code *Get}): a {@code ScopedValue} can only be read inside {@code where(...).run},
 * so each invocation binds once and then reads {@value #READS} times, reported per read
 * ({@code @OperationsPerInvocation}); Tether ({@code run} + {@code getStore()}) and a {@code
 * ThreadLocal} (set, {@code get()}, restore) do exactly the same, so one bind is amortised over
 * {@value #READS} reads in all three. Each read goes through a method the JIT may not inline, as a
 * read from deep in a call stack would: otherwise the JIT may hoist a loop-invariant read out of
 * the loop (which it is designed to do for {@code ScopedValue}), and the loop would measure
 * nothing. The callbacks of the {@code *Get} variants capture the {@code Blackhole}, so ScopedValue
 * and Tether show about half a byte per read of {@code gc.alloc.rate.norm}: one lambda per {@value
 * #READS} reads, not the reads themselves.
 *
 * <p>Binding ({@code *Run}): {@code ScopedValue.where(key, value).run(callback)} beside Tether
 * {@code run(value, callback)} and a {@code ThreadLocal} set and restored in {@code try/finally},
 * each callback reading the value (as in {@code RunBenchmark}).
 *
 * <p>Run: {@code java -jar tether-benchmarks/target/benchmarks.jar ScopedValueBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class ScopedValueBenchmark {

  static final int READS = 100;

  private static final ScopedValue<String> KEY = ScopedValue.newInstance();

  private final AsyncLocalStorage<String> storage = Harness.tetherStorages(1)[0];
  private final ThreadLocal<String> threadLocal = Harness.threadLocals(1)[0];

  /** What the last callback or read saw, checked at the end of the run. */
  private String seen;

  private final Runnable scopedValueCallback = () -> seen = KEY.get();
  private final Runnable tetherCallback = () -> seen = storage.getStore();
  private final Runnable threadLocalCallback = () -> seen = threadLocal.get();

  @TearDown
  public void tearDown() {
    Harness.check("callback", seen);
  }

  // ---- reading ----

  @Benchmark
  @OperationsPerInvocation(READS)
  public void scopedValueGet(Blackhole bh) {
    ScopedValue.where(KEY, Harness.VALUE)
        .run(
            () -> {
              String last = null;
              for (int i = 0; i < READS; i++) {
                last = readScopedValue();
                bh.consume(last);
              }
              seen = last;
            });
  }

  @Benchmark
  @OperationsPerInvocation(READS)
  public void tetherGet(Blackhole bh) {
    storage.run(
        Harness.VALUE,
        () -> {
          String last = null;
          for (int i = 0; i < READS; i++) {
            last = readTether();
            bh.consume(last);
          }
          seen = last;
        });
  }

  @Benchmark
  @OperationsPerInvocation(READS)
  public void threadLocalGet(Blackhole bh) {
    String previous = threadLocal.get();
    threadLocal.set(Harness.VALUE);
    try {
      String last = null;
      for (int i = 0; i < READS; i++) {
        last = readThreadLocal();
        bh.consume(last);
      }
      seen = last;
    } finally {
      threadLocal.set(previous);
    }
  }

  @CompilerControl(CompilerControl.Mode.DONT_INLINE)
  private static String readScopedValue() {
    return KEY.get();
  }

  @CompilerControl(CompilerControl.Mode.DONT_INLINE)
  private String readTether() {
    return storage.getStore();
  }

  @CompilerControl(CompilerControl.Mode.DONT_INLINE)
  private String readThreadLocal() {
    return threadLocal.get();
  }

  // ---- binding ----

  @Benchmark
  public String scopedValueRun() {
    ScopedValue.where(KEY, Harness.VALUE).run(scopedValueCallback);
    return seen;
  }

  @Benchmark
  public String tetherRun() {
    storage.run(Harness.VALUE, tetherCallback);
    return seen;
  }

  @Benchmark
  public String threadLocalRun() {
    String previous = threadLocal.get();
    threadLocal.set(Harness.VALUE);
    try {
      threadLocalCallback.run();
    } finally {
      threadLocal.set(previous);
    }
    return seen;
  }
}
