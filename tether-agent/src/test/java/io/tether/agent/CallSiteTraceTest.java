package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.trace.Trace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Call sites resolved once per site: under {@code trace=FILE} the agent numbers the application's
 * linking calls as their classes load, and the recorder takes each resource's call site from the
 * call in progress, without walking the stack; the sites are the lines of the calls, as a walk
 * would find them, and a task run inline by an executor of the application's has its own calls'.
 */
@Timeout(120)
class CallSiteTraceTest {

  private static final String AGENT =
      System.getProperty("tether.agent.jar", "target/tether-agent.jar");

  @TempDir Path dir;

  @Test
  void eachResourceHasTheLineOfTheCallThatLinkedIt_withoutAStackWalk() throws Exception {
    Path file = dir.resolve("sites.trace");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String testClasses =
        Path.of(CallSitesMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-javaagent:" + AGENT + "=trace=" + file,
                    "-cp",
                    testClasses,
                    CallSitesMain.class.getName()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    Map<String, Integer> lines = new HashMap<>();
    for (String line : out.split("\\R")) {
      String[] words = line.split(" ");
      if (words.length == 2 && words[1].matches("\\d+")) {
        lines.put(words[0], Integer.parseInt(words[1]));
      }
    }
    assertThat(lines)
        .containsOnlyKeys(
            "execute", "supplyAsync", "thenApply", "schedule", "start", "inner", "walks");

    Trace trace = Trace.read(file);
    Map<String, List<String>> typesBySite =
        trace.resources().stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.callSite, Collectors.mapping(r -> r.type, Collectors.toList())));
    String main = CallSitesMain.class.getName() + ".main(CallSitesMain.java:";
    assertThat(typesBySite.get(main + lines.get("execute") + ")")).contains("EXECUTOR_TASK");
    assertThat(typesBySite.get(main + lines.get("supplyAsync") + ")"))
        .contains("COMPLETABLE_FUTURE");
    assertThat(typesBySite.get(main + lines.get("thenApply") + ")"))
        .containsExactly("COMPLETABLE_FUTURE");
    assertThat(typesBySite.get(main + lines.get("schedule") + ")")).isNotEmpty();
    assertThat(typesBySite.get(main + lines.get("start") + ")")).containsExactly("THREAD");
    assertThat(typesBySite.keySet())
        .anySatisfy(
            site ->
                assertThat(site)
                    .startsWith(CallSitesMain.class.getName() + ".lambda$main$")
                    .endsWith("(CallSitesMain.java:" + lines.get("inner") + ")"));
    // Every resource of the program's came from a numbered call: no init walked the stack.
    assertThat(lines.get("walks")).isZero();
  }
}
