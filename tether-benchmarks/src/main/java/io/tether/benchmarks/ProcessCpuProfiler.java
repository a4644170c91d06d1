package io.tether.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the whole benchmark JVM (every thread: the caller, the pool's workers, the JIT and
 * the GC) per operation, as a secondary result {@code \u00b7cpu} in ns/op. Where an operation is
 * mostly a thread waking up (an executor hop), its wall time varies with the scheduler far more
 * than with the work done; the CPU the process spends per operation is what an agent's
 * instrumentation adds to, and it is much less noisy. Read from {@code
 * OperatingSystemMXBean.getProcessCpuTime()} around each measurement iteration, divided by the
 * iteration's operation count.
 *
 * <p>Use: {@code -prof io.tether.benchmarks.ProcessCpuProfiler}, or {@code addProfiler} in code.
 */
public final class ProcessCpuProfiler implements InternalProfiler {

  /** The secondary result's label (JMH's prefix for profilers' results, then {@code cpu}). */
  public static final String LABEL = "\u00b7cpu";

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long cpuBefore;

  @Override
  public String getDescription() {
    return "CPU time of the benchmark JVM (all threads) per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    cpuBefore = os.getProcessCpuTime();
  }

  @Override
  public Collection<? extends Result<?>> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpu = os.getProcessCpuTime() - cpuBefore;
    long ops = result.getMetadata().getMeasuredOps();
    if (cpuBefore < 0 || ops <= 0) {
      return List.of();
    }
    return List.of(new ScalarResult(LABEL, (double) cpu / ops, "ns/op", AggregationPolicy.AVG));
  }
}
