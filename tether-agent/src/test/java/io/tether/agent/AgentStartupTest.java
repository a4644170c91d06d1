package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The agent in a JVM of its own: bad options stop it at start with one line. */
@Timeout(60)
class AgentStartupTest {

  private static final String AGENT =
      System.getProperty("tether.agent.jar", "target/tether-agent.jar");

  private static Result java(String agentArgs, String... args) throws Exception {
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command =
        new java.util.ArrayList<>(
            List.of(java, "-javaagent:" + AGENT + (agentArgs == null ? "" : "=" + agentArgs)));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static final class Result {
    final int exit;
    final String output;

    Result(int exit, String output) {
      this.exit = exit;
      this.output = output;
    }
  }

  @Test
  void unknownOption_stopsTheJvmWithOneLineNamingIt() throws Exception {
    Result r = java("bogus=true", "-version");
    assertThat(r.exit).isNotZero();
    assertThat(r.output.strip().lines())
        .containsExactly(
            "tether-agent: unknown option 'bogus'; accepted options: executors, forkjoin, futures,"
                + " threads, timers, http, nio, coroutines, libraries, debug, asyncStackTraces, trace,"
                + " links, jfr, jfrContext, flight, flightDir, flightSlow, flightStacks,"
                + " flightUncaught, leaks (trace=FILE, links=FILE;FILE, jfrContext=NAME;NAME,"
                + " flight=DURATION, flightDir=DIR, flightSlow=NAME:DURATION, leaks=DURATION, the"
                + " others =true or =false)");
  }

  @Test
  void badLeaksThreshold_stopsTheJvmWithOneLineNamingIt() throws Exception {
    Result r = java("leaks=soon", "-version");
    assertThat(r.exit).isNotZero();
    // Read by tether-core's parser, once the agent has put it on the bootstrap class path: the
    // JVM's own line about that append (docs/agent.md) comes first.
    assertThat(r.output.strip().lines().filter(l -> !l.contains("VM warning: Sharing")))
        .containsExactly(
            "tether-agent: option 'leaks' takes a positive duration such as 30s, 500ms, 5m or 1h,"
                + " got 'soon'");
  }

  @Test
  void badJfrContext_stopsTheJvmWithOneLineNamingIt() throws Exception {
    Result r = java("jfrContext=request-id", "-version");
    assertThat(r.exit).isNotZero();
    assertThat(r.output.strip().lines())
        .containsExactly(
            "tether-agent: option 'jfrContext' takes the names of AsyncLocalStorages, separated by"
                + " ';', each a Java identifier and given once, was 'request-id'");
  }

  @Test
  void badLinksDeclaration_stopsTheJvmWithOneLineNamingFileLineAndFault() throws Exception {
    java.nio.file.Path links = java.nio.file.Files.createTempFile("bad", ".links");
    try {
      java.nio.file.Files.writeString(
          links,
          "# an in-house library\n"
              + "callback com.acme.Bus#subscribe(java.lang.String,com.acme.Handler) 2 once\n");
      Result r = java("links=" + links, "-version");
      assertThat(r.exit).isNotZero();
      assertThat(r.output.strip())
          .isEqualTo(
              "tether-agent: links "
                  + links
                  + " line 2: argument index 2 is out of range (the method has 2 parameters):"
                  + " callback com.acme.Bus#subscribe(java.lang.String,com.acme.Handler) 2 once");
    } finally {
      java.nio.file.Files.delete(links);
    }
  }

  @Test
  void missingLinksFile_stopsTheJvmWithOneLineNamingIt() throws Exception {
    Result r = java("links=/nonexistent/in-house.links", "-version");
    assertThat(r.exit).isNotZero();
    assertThat(r.output.strip())
        .startsWith("tether-agent: option 'links': cannot read /nonexistent/in-house.links (");
    assertThat(r.output.strip().lines()).hasSize(1);
  }

  @Test
  void badValue_stopsTheJvmWithOneLineNamingIt() throws Exception {
    Result r = java("executors=yes", "-version");
    assertThat(r.exit).isNotZero();
    assertThat(r.output.strip())
        .isEqualTo("tether-agent: option 'executors' takes true or false, was 'yes'");
  }

  /**
   * The JDK's pool classes first load while the agent matches an application's subclass of them:
   * the agent reads their class files rather than loading them from inside its transformer (where
   * the JVM would not hand them to it), so they are instrumented as usual.
   */
  @Test
  void jdkPoolFirstLoadedThroughAnApplicationSubclass_isInstrumented() throws Exception {
    String testClasses =
        java.nio.file.Path.of(
                FirstLoadMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    Result r = java("debug=true", "-cp", testClasses, FirstLoadMain.class.getName());
    assertThat(r.output)
        .contains(
            "tether-agent: instrumented java.util.concurrent.ThreadPoolExecutor",
            "tether-agent: instrumented java.util.concurrent.ScheduledThreadPoolExecutor",
            "task saw: executed, scheduled");
    assertThat(r.exit).isZero();
  }

  /**
   * Tether's premain loads none of the JDK classes that an agent attached after it may need to
   * transform as they load (TransmittableThreadLocal's agent never retransforms): the pools, the
   * fork/join classes, the futures and the timers load first for the application.
   */
  @Test
  void premain_loadsNoJdkClassALaterAgentMustInstrument() throws Exception {
    String testClasses =
        java.nio.file.Path.of(
                FirstLoadMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    Result r =
        java(
            null,
            "-Xlog:class+load=info",
            "-cp",
            testClasses,
            AgentStartupTest.class.getName() + "$Probe");
    List<String> lines = r.output.lines().toList();
    int main = -1;
    for (int i = 0; i < lines.size() && main < 0; i++) {
      if (lines.get(i).contains(" " + Probe.class.getName() + " ")) {
        main = i;
      }
    }
    assertThat(main).as("the probe's own class loads").isPositive();
    assertThat(lines.subList(0, main))
        .noneMatch(
            line ->
                line.matches(
                    ".* java\\.util\\.(concurrent\\.(ThreadPoolExecutor|ScheduledThreadPoolExecutor|FutureTask"
                        + "|ForkJoinPool|ForkJoinTask|CompletableFuture)|Timer|TimerTask) .*"));
    assertThat(r.exit).isZero();
  }

  /**
   * What only third-party libraries' links need (the callback wrappers' generator, Kotlin's
   * support) is not loaded by a JVM that never meets one of those libraries.
   */
  @Test
  void withoutThirdPartyLibraries_theirMachineryIsNeverLoaded(@TempDir java.nio.file.Path dir)
      throws Exception {
    // The probe alone on the class path: the test classes declare links of their own.
    String resource = Probe.class.getName().replace('.', '/') + ".class";
    java.nio.file.Path copy = dir.resolve(resource);
    java.nio.file.Files.createDirectories(copy.getParent());
    try (java.io.InputStream in = Probe.class.getClassLoader().getResourceAsStream(resource)) {
      java.nio.file.Files.copy(in, copy);
    }
    Result r = java(null, "-Xlog:class+load=info", "-cp", dir.toString(), Probe.class.getName());
    assertThat(r.output).contains("probe ran").contains(" io.tether.agent.Weaver ");
    assertThat(r.output.lines())
        .noneMatch(
            line ->
                line.matches(
                    ".* io\\.tether\\.(internal\\.(Callbacks|Coroutines)|agent\\.(CallbackClasses|KotlinSupport))"
                        + "[ $].*"));
    assertThat(r.exit).isZero();
  }

  /**
   * The copy of tether-core the agent puts on the bootstrap class path is gone once it is opened: a
   * JVM that halts (or is killed) leaves no file behind, and Tether's classes still load from it.
   */
  @Test
  void haltedJvm_leavesNoCopyOfTheCoreBehind(@TempDir java.nio.file.Path tmp) throws Exception {
    String testClasses =
        java.nio.file.Path.of(
                HaltingProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    Result r =
        java(null, "-Djava.io.tmpdir=" + tmp, "-cp", testClasses, HaltingProbe.class.getName());
    assertThat(r.output).contains("probe saw request-1");
    assertThat(r.exit).isEqualTo(3);
    try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(tmp)) {
      assertThat(left).isEmpty();
    }
  }

  /** Uses Tether (classes first loaded after the copy is deleted), then halts. */
  public static final class HaltingProbe {
    public static void main(String[] args) {
      io.tether.AsyncLocalStorage<String> storage = new io.tether.AsyncLocalStorage<>();
      storage.run("request-1", () -> System.out.println("probe saw " + storage.getStore()));
      System.out.flush();
      Runtime.getRuntime().halt(3);
    }
  }

  /** The application of {@link #premain_loadsNoJdkClassALaterAgentMustInstrument()}. */
  public static final class Probe {
    public static void main(String[] args) {
      System.out.println("probe ran");
    }
  }

  @Test
  void goodOptions_jvmRunsNormally() throws Exception {
    Result r = java("nio=false,http=false", "-version");
    assertThat(r.exit).isZero();
    assertThat(r.output).doesNotContain("tether-agent");
  }
}
