package io.tether.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;

/**
 * The agent's entry point: {@code java -javaagent:tether-agent.jar[=key=value,...] ...}.
 *
 * <p>Start-up order matters. Before any Tether class is loaded, the {@code tether-core} jar nested
 * in the agent is appended to the bootstrap class path, so that the code woven into JDK classes
 * and the application's own calls reach one and the same copy of Tether. Only then is the
 * installer (and ByteBuddy, relocated, on this class loader) touched.
 */
public final class TetherAgent {

  static final String NESTED_CORE = "tether-bootstrap/tether-core.jar";

  private static volatile boolean installed;

  private TetherAgent() {}

  /** Called by the JVM for {@code -javaagent}. */
  public static void premain(String args, Instrumentation inst) {
    start(args, inst);
  }

  /** Called by the JVM when the agent is loaded into a running JVM. */
  public static void agentmain(String args, Instrumentation inst) {
    start(args, inst);
  }

  private static synchronized void start(String args, Instrumentation inst) {
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
    try {
      appendCoreToBootstrap(inst);
    } catch (IOException | RuntimeException e) {
      System.err.println("tether-agent: cannot put tether-core on the bootstrap class path ("
          + e + "); the application runs without the agent");
      return;
    }
    Installer.install(inst, options);
    installed = true;
  }

  /** Whether the agent is installed in this JVM. */
  public static boolean isInstalled() {
    return installed;
  }

  private static void appendCoreToBootstrap(Instrumentation inst) throws IOException {
    Path agentJar;
    try {
      agentJar = Path.of(TetherAgent.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    Path core;
    if (Files.isDirectory(agentJar)) {
      core = agentJar.resolve(NESTED_CORE);  // running from target/classes
    } else {
      try (JarFile jar = new JarFile(agentJar.toFile())) {
        core = Files.createTempFile("tether-core-", ".jar");
        core.toFile().deleteOnExit();
        try (InputStream in = jar.getInputStream(jar.getJarEntry(NESTED_CORE))) {
          Files.copy(in, core, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    inst.appendToBootstrapClassLoaderSearch(new JarFile(new File(core.toString())));
  }
}
