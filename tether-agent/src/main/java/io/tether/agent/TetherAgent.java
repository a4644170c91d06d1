package io.tether.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.jar.JarFile;

/**
 * The agent's entry point: {@code java -javaagent:tether-agent.jar[=key=value,...] ...}.
 *
 * <p>Start-up order matters. Before any Tether class is loaded, the {@code tether-core} jar nested
 * in the agent is appended to the bootstrap class path, so that the code woven into JDK classes and
 * the application's own calls reach one and the same copy of Tether. Only then is the installer
 * (and ASM, relocated, on this class loader) touched.
 */
public final class TetherAgent {

  static final String NESTED_CORE = "tether-bootstrap/tether-core.jar";

  private static volatile boolean installed;
  private static final Object INSTALL_LOCK = new Object();

  /** Set while {@link #install(String)} attaches: it reports a refusal itself, as an exception. */
  private static volatile boolean attaching;

  /** Why the last attach installed nothing, for {@link #install(String)} to throw; or null. */
  private static volatile String refused;

  private TetherAgent() {}

  /** Called by the JVM for {@code -javaagent}. */
  public static void premain(String args, Instrumentation inst) {
    start(args, inst, true);
  }

  /** Called by the JVM when the agent is loaded into a running JVM. */
  public static void agentmain(String args, Instrumentation inst) {
    start(args, inst, false);
  }

  private static synchronized void start(String args, Instrumentation inst, boolean atStart) {
    if (installed) {
      return;
    }
    AgentOptions options;
    try {
      options = AgentOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("tether-agent: " + e.getMessage());
      System.err.flush();
      Runtime.getRuntime().halt(1);
      return;
    }
    java.util.List<Links.Declaration> links;
    java.util.List<Links.Library> libraries;
    try {
      links = Links.load(options);
      libraries = Links.builtInLibraries(options);
    } catch (IllegalArgumentException e) {
      refuse(e.getMessage(), atStart);
      return;
    }
    if (!atStart) {
      String late = coreLoadedBefore(inst);
      if (late != null) {
        refused = late;
        if (!attaching) {
          System.err.println("tether-agent: " + late);
          System.err.flush();
        }
        return;
      }
    }
    try {
      appendCoreToBootstrap(inst);
    } catch (IOException | RuntimeException e) {
      System.err.println(
          "tether-agent: cannot put tether-core on the bootstrap class path ("
              + e
              + "); the application runs without the agent");
      return;
    }
    if (options.asyncStackTraces()) {
      io.tether.internal.AsyncStackTraces.enable();
    }
    if (options.leaks() != null) {
      try {
        io.tether.ContextLeaks.enable(
            io.tether.internal.Leaks.parseThreshold(options.leaks(), "option 'leaks'"));
      } catch (IllegalArgumentException e) {
        refuse(e.getMessage(), atStart);
        return;
      }
    }
    Installer.install(inst, options, links, libraries);
    installed = true;
    if (options.trace() != null || options.flight() != null || options.jfr()) {
      // Before the application's classes load: their linking calls get numbered call sites, which
      // the recorders take instead of walking the stack at every init.
      CallSiteMarker.install(inst);
    }
    if (options.trace() != null) {
      startTrace(options.trace());
    }
    if (options.flight() != null) {
      startFlight(options);
    } else if (options.jfr()) {
      startJfr(options.jfrContext());
    }
  }

  /**
   * Starts the flight recording ({@code flight=DURATION}), which emits Tether's JFR events itself
   * (with {@code jfrContext}'s storages); a JVM without the Flight Recorder is reported.
   */
  private static void startFlight(AgentOptions options) {
    try {
      io.tether.recorder.TetherFlight.Options flight =
          new io.tether.recorder.TetherFlight.Options()
              .maxAge(options.flight())
              .context(options.jfrContext())
              .stackTraces(options.flightStacks())
              .onUncaughtException(options.flightUncaught());
      if (options.flightDir() != null) {
        flight.directory(java.nio.file.Path.of(options.flightDir()));
      }
      if (options.flightSlow() != null) {
        flight.slowRoots(options.flightSlowRoot(), options.flightSlow());
      }
      io.tether.recorder.TetherFlight.start(flight);
    } catch (RuntimeException | LinkageError e) {
      System.err.println(
          "tether-agent: cannot start the flight recording ("
              + e
              + "); the application runs without it");
    }
  }

  /** A bad option or declaration: one line, and at start the JVM stops (exit status 1). */
  private static void refuse(String message, boolean atStart) {
    System.err.println("tether-agent: " + message);
    System.err.flush();
    if (atStart) {
      Runtime.getRuntime().halt(1);
    }
  }

  /**
   * Emits async hook events as JFR events while a recording runs; a JVM without the Flight Recorder
   * (a runtime image without {@code jdk.jfr}) is reported.
   */
  private static void startJfr(java.util.List<String> contextual) {
    try {
      io.tether.recorder.TetherJfr.enableNamed(contextual.toArray(new String[0]));
    } catch (RuntimeException | LinkageError e) {
      System.err.println(
          "tether-agent: cannot emit JFR events (" + e + "); the application runs without them");
    }
  }

  /**
   * Why the agent cannot be attached now, or {@code null}: a class of tether-core loaded by a class
   * loader other than the bootstrap loader (an application that touched Tether before attaching it)
   * would stay a second copy of Tether beside the one the instrumented JDK classes call, and
   * context would silently not follow work. Only for an attach: at {@code -javaagent} start no
   * application class has run.
   */
  private static String coreLoadedBefore(Instrumentation inst) {
    for (Class<?> type : inst.getAllLoadedClasses()) {
      String name = type.getName();
      if (type.getClassLoader() != null
          && (isCorePackage(name, "io.tether.") || isCorePackage(name, "io.tether.internal."))) {
        return "not installed: "
            + name
            + " was loaded by "
            + type.getClassLoader()
            + " before the agent, so the application would use another copy of Tether than the"
            + " JDK's instrumented classes; call TetherAgent.install() before any Tether class is"
            + " loaded (first thing in main, from a class without Tether fields), or start the JVM"
            + " with -javaagent:tether-agent.jar";
      }
    }
    return null;
  }

  /** Whether {@code name} is a class of {@code pkg} itself, not of a package below it. */
  private static boolean isCorePackage(String name, String pkg) {
    return name.startsWith(pkg) && name.indexOf('.', pkg.length()) < 0;
  }

  /** Records every async hook event into {@code file}; a file it cannot write is reported. */
  private static void startTrace(String file) {
    try {
      io.tether.recorder.TraceRecorder.start(Path.of(file));
    } catch (IOException | RuntimeException e) {
      System.err.println(
          "tether-agent: cannot record the trace into "
              + file
              + " ("
              + e
              + "); the application runs without recording");
    }
  }

  /**
   * Installs the agent into this running JVM, with default options: the way to use it without
   * {@code -javaagent}, for launchers and tests. Call it before the application touches any Tether
   * class, so that the application and the instrumented JDK share one copy of Tether.
   *
   * @throws IllegalStateException if Tether's classes were loaded before (the agent is then not
   *     installed: the application and the JDK would use two copies of Tether), or the JVM cannot
   *     attach the agent (a JRE without the {@code jdk.attach} module, or attaching disabled with
   *     {@code -XX:+DisableAttachMechanism})
   */
  public static void install() {
    install("");
  }

  /**
   * Installs the agent into this running JVM with {@code options} (as after {@code =} in {@code
   * -javaagent:tether-agent.jar=...}). A JVM may not attach an agent to itself, so a short helper
   * JVM (this agent jar's {@link Attacher}) attaches it; returns once it is installed. Does nothing
   * if the agent is installed already.
   *
   * @param options the agent's options, {@code ""} for the defaults
   * @throws IllegalStateException as {@link #install()}
   */
  public static void install(String options) {
    synchronized (INSTALL_LOCK) { // not the class: agentmain, on the attach thread, needs that
      attaching = true;
      try {
        attach(options);
      } finally {
        attaching = false;
      }
    }
  }

  private static void attach(String options) {
    if (installed) {
      return;
    }
    AgentOptions.parse(options); // a bad option fails here, in the caller, not in the JVM
    Path agentJar;
    try {
      agentJar =
          Path.of(TetherAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the Tether agent jar", e);
    }
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder attacher =
        new ProcessBuilder(
                javaBin,
                "-cp",
                agentJar.toString(),
                Attacher.class.getName(),
                String.valueOf(ProcessHandle.current().pid()),
                agentJar.toString(),
                options)
            .redirectErrorStream(true);
    refused = null;
    try {
      Process p = attacher.start();
      String out =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              .strip();
      boolean ended = p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
      String why = refused;
      if (why != null) {
        throw new IllegalStateException("Tether agent " + why);
      }
      if (!ended || p.exitValue() != 0 || !installed) {
        throw new IllegalStateException(
            "could not attach the Tether agent to this JVM" + (out.isEmpty() ? "" : ": " + out));
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not start the JVM that attaches the Tether agent", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while attaching the Tether agent", e);
    }
  }

  /** Whether the agent is installed in this JVM. */
  public static boolean isInstalled() {
    return installed;
  }

  private static void appendCoreToBootstrap(Instrumentation inst) throws IOException {
    Path agentJar;
    try {
      agentJar =
          Path.of(TetherAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    if (Files.isDirectory(agentJar)) { // running from target/classes
      try (JarFile core = new JarFile(agentJar.resolve(NESTED_CORE).toFile())) {
        inst.appendToBootstrapClassLoaderSearch(core);
      }
      return;
    }
    Path core;
    try (JarFile jar = new JarFile(agentJar.toFile());
        InputStream in = jar.getInputStream(jar.getJarEntry(NESTED_CORE))) {
      core = createTempJar();
      core.toFile().deleteOnExit();
      try (OutputStream out = Files.newOutputStream(core, StandardOpenOption.WRITE)) {
        in.transferTo(out);
      }
    }
    try (JarFile copy = new JarFile(new File(core.toString()))) {
      inst.appendToBootstrapClassLoaderSearch(copy);
    }
    // The JVM opened the copy as it appended it and reads it through that handle from now on (the
    // bootstrap loader never reopens it; its resources are not even visible to Java code), so the
    // file can go now: a JVM that is killed or halted leaves nothing behind. Where the platform
    // refuses to delete an open file, the copy goes at exit.
    try {
      Files.deleteIfExists(core);
    } catch (IOException | RuntimeException refused) {
      // deleted on exit
    }
  }

  /**
   * A new, empty file for the nested jar, created exclusively (never an existing file or link). Not
   * {@code Files.createTempFile}: its random name costs a {@code SecureRandom}, tens of
   * milliseconds of every start-up. Nor the pid for a name: {@code ProcessHandle} creates a {@code
   * ThreadPoolExecutor} as it initialises, which would load that class before an agent attached
   * after this one could instrument it.
   */
  private static Path createTempJar() throws IOException {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));
    String unique = Integer.toHexString(System.identityHashCode(new Object()));
    for (int attempt = 0; ; attempt++) {
      Path file =
          dir.resolve("tether-core-" + unique + "-" + Long.toHexString(System.nanoTime()) + ".jar");
      try {
        return Files.createFile(file);
      } catch (java.nio.file.FileAlreadyExistsException taken) {
        if (attempt == 100) {
          throw taken;
        }
      }
    }
  }
}
