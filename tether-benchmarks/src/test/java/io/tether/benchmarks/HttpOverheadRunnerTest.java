package io.tether.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP overhead runner's parsing, pairing and verdicts, on outputs as the tools print them. */
@Timeout(30)
class HttpOverheadRunnerTest {

  private static final String WRK =
      """
      Running 10s test @ http://127.0.0.1:40000/
        1 threads and 32 connections
        Thread Stats   Avg      Stdev     Max   +/- Stdev
          Latency     1.10ms    1.43ms  41.20ms   94.61%
          Req/Sec    29.87k     4.12k   36.01k    71.00%
        Latency Distribution
           50%  806.00us
           75%    1.10ms
           90%    1.80ms
           99%    7.36ms
        297236 requests in 10.00s, 30.05MB read
        Socket errors: connect 0, read 2, write 0, timeout 0
      Requests/sec:  29722.15
      Transfer/sec:      3.00MB
      """;

  @Test
  void wrkOutput_isParsed_withItsUnitsAndErrors() {
    HttpOverheadRunner.WrkResult result = HttpOverheadRunner.WrkResult.parse(WRK);
    assertThat(result.requestsPerSecond()).isEqualTo(29722.15);
    assertThat(result.requests()).isEqualTo(297236);
    assertThat(result.p99Micros()).isCloseTo(7360, within(1e-6));
    assertThat(result.errors()).isEqualTo("Socket errors: connect 0, read 2, write 0, timeout 0");
    assertThat(HttpOverheadRunner.WrkResult.parse(WRK.replace("7.36ms", "950.00us")).p99Micros())
        .isCloseTo(950, within(1e-6));
    assertThat(HttpOverheadRunner.WrkResult.parse(WRK.replace("7.36ms", "1.20s")).p99Micros())
        .isCloseTo(1_200_000, within(1e-6));
  }

  @Test
  void wrkOutput_withoutTheLatencyDistribution_isRefusedByName() {
    assertThatThrownBy(() -> HttpOverheadRunner.WrkResult.parse(WRK.replace("99%", "98%")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("99% latency");
  }

  @Test
  void perfCsv_countedOrNot() {
    assertThat(
            HttpOverheadRunner.perfCount(
                "123456789,,instructions:u,1000,100.00,,\n", "instructions"))
        .isEqualTo(123456789);
    assertThat(
            HttpOverheadRunner.perfCount(
                "<not supported>,,instructions,0,100.00,,\n", "instructions"))
        .isNaN();
    assertThat(HttpOverheadRunner.perfCount("", "instructions")).isNaN();
  }

  private static HttpOverheadRunner.Run run(String mode, int round, double rps, double cpu) {
    return new HttpOverheadRunner.Run(mode, round, rps, 1000, 2000, cpu, Double.NaN, "");
  }

  @Test
  void ratios_arePairedByRound_andTheMedianIsTaken() {
    List<HttpOverheadRunner.Run> none =
        List.of(
            run("java-none", 1, 100, 10),
            run("java-none", 2, 200, 10),
            run("java-none", 3, 150, 10));
    // round by round: 0.90, 0.95, 1.00 (unpaired the medians would give 0.95 vs 150: 0.63)
    List<HttpOverheadRunner.Run> als =
        List.of(
            run("java-als", 1, 90, 11), run("java-als", 2, 190, 12), run("java-als", 3, 150, 10));
    assertThat(HttpOverheadRunner.pairedRatio(als, none, HttpOverheadRunner.Run::requestsPerSecond))
        .isCloseTo(0.95, within(1e-9));
    assertThat(HttpOverheadRunner.pairedRatio(als, null, HttpOverheadRunner.Run::requestsPerSecond))
        .isNaN();
  }

  @Test
  void report_showsEachModeAgainstItsOwnPlatform_andTheTargets() {
    List<HttpOverheadRunner.Run> runs =
        List.of(
            run("java-none", 1, 100, 10),
            run("java-als", 1, 98, 10.2),
            run("java-hooks", 1, 80, 12.5),
            run("node-none", 1, 50, 20),
            run("node-als", 1, 49, 21));
    String report =
        HttpOverheadRunner.report(
            runs,
            false,
            "not supported on this machine",
            List.of("java-none: requests=1 mismatches=0 live=0"));
    assertThat(report)
        .contains("| Java (Tether) | AsyncLocalStorage | 98 | 0.98 |")
        .contains("| Java (Tether) | all hooks (no-op) | 80 | 0.80 |")
        .contains("| Node 24 | AsyncLocalStorage | 49 | 0.98 |")
        .contains(
            "Target AsyncLocalStorage >= 0.97 of no tracking: req/s 0.980 (met; 0% interval"
                + " 0.98-0.98, all above the target), CPU per request 0.980 (met;")
        .contains(
            "Target all hooks >= 0.90 of no tracking: req/s 0.800 (NOT met; 0% interval"
                + " 0.80-0.80, all below the target), CPU per request 0.800 (NOT met;");
  }

  @Test
  void medianInterval_isTheWidestOrderStatisticsPairWithAtLeast95PercentCoverage() {
    List<Double> seven = List.of(0.89, 0.89, 1.08, 1.00, 1.11, 0.80, 0.81);
    HttpOverheadRunner.Interval i7 = HttpOverheadRunner.medianInterval(seven);
    // n = 7: [x(2), x(6)] covers 1 - 2 * 8/128 = 0.875 < 0.95, so the range: 1 - 2/128
    assertThat(i7.low()).isEqualTo(0.80);
    assertThat(i7.high()).isEqualTo(1.11);
    assertThat(i7.coverage()).isCloseTo(1 - 2.0 / 128, within(1e-12));
    List<Double> nine = List.of(9.0, 1.0, 8.0, 2.0, 7.0, 3.0, 6.0, 4.0, 5.0);
    HttpOverheadRunner.Interval i9 = HttpOverheadRunner.medianInterval(nine);
    // n = 9: [x(2), x(8)] covers 1 - 2 * 10/512 = 0.961; [x(3), x(7)] only 0.820
    assertThat(i9.low()).isEqualTo(2.0);
    assertThat(i9.high()).isEqualTo(8.0);
    assertThat(i9.coverage()).isCloseTo(1 - 20.0 / 512, within(1e-12));
    assertThat(HttpOverheadRunner.verdict(0.89, i7, 0.90))
        .isEqualTo("NOT met; 98% interval 0.80-1.11, straddles the target");
    assertThat(
            HttpOverheadRunner.verdict(
                0.99, new HttpOverheadRunner.Interval(0.95, 1.02, 0.96), 0.90))
        .isEqualTo("met; 96% interval 0.95-1.02, all above the target");
  }

  @Test
  void options_refuseUnknownModesAndOptionsByName() {
    Path base = Path.of("target");
    assertThatThrownBy(
            () ->
                HttpOverheadRunner.Options.parse(
                    new String[] {"--modes", "java-none,java-fast"}, base))
        .hasMessageContaining("unknown mode 'java-fast'");
    assertThatThrownBy(() -> HttpOverheadRunner.Options.parse(new String[] {"--speed", "1"}, base))
        .hasMessageContaining("unknown option --speed");
    assertThatThrownBy(() -> HttpOverheadRunner.Options.parse(new String[] {"--rounds", "0"}, base))
        .hasMessageContaining("--rounds must be positive");
    assertThat(HttpOverheadRunner.Options.parse(new String[0], base).modes())
        .as("without Node, its modes are left out")
        .containsExactly(
            "java-none", "java-als", "java-hooks", "java-trace", "vertx-none", "vertx-als");
  }

  @Test
  void soakVerdict_flatOrGrowing() {
    long mb = 1 << 20;
    List<HttpSoakRunner.Sample> flat =
        List.of(
            new HttpSoakRunner.Sample(60, 20 * mb, 5, 1000, 0, 0),
            new HttpSoakRunner.Sample(120, 24 * mb, 4, 2000, 0, 0),
            new HttpSoakRunner.Sample(180, 21 * mb, 3, 3000, 0, 0));
    assertThat(HttpSoakRunner.verdict(flat)).startsWith("flat:");
    List<HttpSoakRunner.Sample> growing =
        List.of(
            new HttpSoakRunner.Sample(60, 20 * mb, 5, 1000, 0, 0),
            new HttpSoakRunner.Sample(120, 40 * mb, 5000, 2000, 0, 0));
    assertThat(HttpSoakRunner.verdict(growing)).startsWith("GROWING:");
    assertThat(HttpSoakRunner.verdict(List.of())).startsWith("no sample");
  }

  @Test
  void soakResidentVerdict_boundedOrGrowing() {
    long mb = 1 << 20;
    List<HttpSoakRunner.Sample> bounded =
        List.of(
            new HttpSoakRunner.Sample(60, 20 * mb, 5, 1000, 300 * mb, 40 * mb),
            new HttpSoakRunner.Sample(120, 21 * mb, 4, 2000, 360 * mb, 90 * mb));
    assertThat(HttpSoakRunner.residentVerdict(bounded))
        .startsWith("bounded:")
        .endsWith("the recording on disk at most 90.0 MB");
    List<HttpSoakRunner.Sample> growing =
        List.of(
            new HttpSoakRunner.Sample(60, 20 * mb, 5, 1000, 300 * mb, 40 * mb),
            new HttpSoakRunner.Sample(120, 21 * mb, 4, 2000, 400 * mb, 40 * mb));
    assertThat(HttpSoakRunner.residentVerdict(growing)).startsWith("GROWING resident memory:");
  }
}
