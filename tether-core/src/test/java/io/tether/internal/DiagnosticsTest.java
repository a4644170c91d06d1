package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncLocalStorage;
import io.tether.CleanCoreState;
import io.tether.app.PlainPoolsMain;
import io.tether.testing.NoContextLeft;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code -Dtether.diagnostics=true}: plain pools that run work without its context are reported
 * once per call site; wrapped and bound tasks, storages never set and threads that are no
 * executor's are not; without the property nothing is. Each case in a JVM of its own, since the
 * property is read once per JVM.
 */
@Timeout(120)
@ExtendWith({NoContextLeft.class, CleanCoreState.class})
class DiagnosticsTest {

  @Test
  void noEntry_diagnosticsOn_reportedOncePerCallSiteOfPlainPools() throws Exception {
    List<String> reports = reports(run("-Dtether.diagnostics=true"));

    assertThat(reports).hasSize(3);
    assertThat(String.join("\n", reports))
        .contains(
            "PlainPoolsMain.readInPlainPool(",
            "PlainPoolsMain.readElsewhereInPlainPool(",
            "PlainPoolsMain.readInForkJoinPool(")
        .doesNotContain("readInWrappedPool", "readInBoundTask", "neverSet", "PlainPoolsMain.main");
    assertThat(reports.get(0))
        .startsWith("tether: AsyncLocalStorage(request).getStore() at io.tether.app.")
        .contains("AsyncExecutors.wrap", "AsyncLocalStorage.bind", "-javaagent");
  }

  @Test
  void noEntry_diagnosticsOff_nothingReported() throws Exception {
    assertThat(reports(run())).isEmpty();
  }

  private static List<String> reports(String output) {
    assertThat(output).contains("done");
    return output.lines().filter(l -> l.startsWith("tether:")).toList();
  }

  private static String run(String... options) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(List.of(options));
    command.addAll(
        List.of(
            "-cp",
            location(AsyncLocalStorage.class) + File.pathSeparator + location(PlainPoolsMain.class),
            PlainPoolsMain.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static String location(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }
}
