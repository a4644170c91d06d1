package io.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built command as a user does, {@code java -jar target/tether-cli.jar ARGS}, in a JVM of
 * its own, in a given folder, and collects its exit code and its two outputs (through files, so
 * that neither can block it). The JVM gets no {@code TETHER_AGENT} unless a test sets one.
 */
final class Cli {

  /** The jar under test (failsafe names it; after packaging). */
  static final Path JAR = Path.of(System.getProperty("tether.cli.jar", "target/tether-cli.jar"));

  /** This JVM's {@code java}: the command's JVM, and the one the tests' programs run on. */
  static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  /** What a run left: its exit code, its standard output and its standard error. */
  record Result(int exit, String out, String err) {

    /** Standard error's lines. */
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private Cli() {}

  /** {@code java -jar tether-cli.jar ARGS} in {@code folder}. */
  static Result tether(Path folder, String... args) throws IOException, InterruptedException {
    return tether(folder, Map.of(), args);
  }

  /** The same, with these environment variables set in the command's JVM. */
  static Result tether(Path folder, Map<String, String> environment, String... args)
      throws IOException, InterruptedException {
    return tether(folder, environment, List.of(), args);
  }

  /** The same, with these options for the command's JVM ({@code java OPTIONS -jar ...}). */
  static Result tether(
      Path folder, Map<String, String> environment, List<String> jvmOptions, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
    command.addAll(Arrays.asList(args));
    return exec(folder, environment, command);
  }

  /** Any command in {@code folder}, its outputs collected the same way. */
  static Result exec(Path folder, Map<String, String> environment, List<String> command)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(folder, "stdout-", ".txt");
    Path err = Files.createTempFile(folder, "stderr-", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(folder.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().remove("TETHER_AGENT");
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close(); // no input
    boolean ended = process.waitFor(90, TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly().waitFor();
    }
    assertThat(ended).as("%s ended within 90 s", command).isTrue();
    Result result =
        new Result(
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return result;
  }

  /**
   * {@code tether run [options] -- java -cp TEST-CLASSES TinyProgram programArgs}: the tiny program
   * with the built agent (the one the jar carries, unless the options name another).
   */
  static Result runTiny(Path folder, List<String> options, String... programArgs)
      throws IOException, InterruptedException {
    return runTiny(folder, List.of(), options, programArgs);
  }

  /** The same, with these options for the command's JVM (not the program's). */
  static Result runTiny(
      Path folder, List<String> jvmOptions, List<String> options, String... programArgs)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(options);
    args.addAll(
        List.of("--", JAVA, "-Xshare:off", "-cp", testClasses(), TinyProgram.class.getName()));
    args.addAll(Arrays.asList(programArgs));
    return tether(folder, Map.of(), jvmOptions, args.toArray(String[]::new));
  }

  /** The folder of this module's compiled test classes (TinyProgram's class path). */
  static String testClasses() {
    try {
      return Path.of(TinyProgram.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
