package io.tether.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The agent jar {@code run} attaches: {@code --agent JAR}, else {@code $TETHER_AGENT}, else the
 * agent this jar carries (the build nests tether-agent's jar beside this class), copied to a
 * temporary file of its own (readable by its owner only, as {@link Files#createTempFile} makes it)
 * and deleted by {@link #close} once the program has exited. A copy, because a JVM attaches an
 * agent only from a file; one per run, so that runs of different versions never share one.
 */
final class AgentJar implements AutoCloseable {

  /** The name of the nested agent jar, a resource beside this class. */
  static final String NESTED = "tether-agent.jar";

  private final Path path;
  private final boolean temporary;

  private AgentJar(Path path, boolean temporary) {
    this.path = path;
    this.temporary = temporary;
  }

  /**
   * The agent jar to attach.
   *
   * @param option the value of {@code --agent}, or {@code null}
   * @param environment the value of {@code TETHER_AGENT}, or {@code null}
   * @throws Failure if the jar named is not a file, or this jar carries none
   */
  static AgentJar find(String option, String environment) throws Failure, IOException {
    if (option != null) {
      return named(option, "--agent");
    }
    if (environment != null && !environment.isEmpty()) {
      return named(environment, "TETHER_AGENT");
    }
    try (InputStream nested = AgentJar.class.getResourceAsStream(NESTED)) {
      if (nested == null) {
        throw new Failure(
            "this tether-cli jar carries no agent (not built by Maven's package?):"
                + " pass --agent JAR or set TETHER_AGENT");
      }
      Path copy = Files.createTempFile("tether-agent-", ".jar");
      try {
        Files.copy(nested, copy, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        Files.deleteIfExists(copy);
        throw e;
      }
      return new AgentJar(copy, true);
    }
  }

  private static AgentJar named(String given, String source) throws Failure {
    Path path;
    try {
      path = Path.of(given);
    } catch (InvalidPathException e) {
      throw new Failure("not a file name: '" + given + "' (from " + source + ")");
    }
    if (Files.isDirectory(path)) {
      throw new Failure(given + " (from " + source + ") is a folder, not the agent jar");
    }
    if (!Files.isRegularFile(path)) {
      throw new Failure("no such file: " + given + " (the agent jar, from " + source + ")");
    }
    return new AgentJar(path.toAbsolutePath(), false);
  }

  /** The jar's absolute path. */
  Path path() {
    return path;
  }

  /** Deletes the copy of the nested agent, if this is one; safe to call more than once. */
  @Override
  public void close() {
    if (temporary) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        // A file left in the temporary folder is all that is lost.
      }
    }
  }
}
