package io.tether.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes a load runner starts (servers, {@code wrk}, {@code perf}): each is recorded, and
 * {@link #stopAll()} (from a {@code finally} and a shutdown hook) stops every one still running,
 * with its descendants, by its own handle: never a process it did not start.
 */
final class Processes {

  /** JVM options of every Java server: the same heap, and responses sent without Nagle's delay. */
  static final List<String> SERVER_JVM_ARGS =
      List.of(
          "-Xms512m",
          "-Xmx512m",
          "-XX:+UseG1GC",
          // without it the JDK's HttpServer waits for the delayed ACK: 40 ms a response
          "-Dsun.net.httpserver.nodelay=true");

  private final List<Process> started = new ArrayList<>();

  /** Starts {@code command}, standard output and error to {@code output}. */
  synchronized Process start(List<String> command, Path output) throws IOException {
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    started.add(process);
    return process;
  }

  /** Starts {@code command} with its standard output read through a pipe. */
  synchronized Process startPiped(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    started.add(process);
    return process;
  }

  /** {@link HttpOverheadServer} in {@code mode}, on a free loopback port, once it listens. */
  HttpOverheadRunner.Server startJavaServer(
      Class<?> main, String name, String mode, List<String> jvmArgs, Path logs)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(SERVER_JVM_ARGS);
    command.addAll(jvmArgs);
    int port = freePort();
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            main.getName(),
            mode,
            Integer.toString(port)));
    return startServer(name, command, port, logs);
  }

  /** A server started by {@code command} (which listens on {@code port}), once it listens. */
  HttpOverheadRunner.Server startServer(String name, List<String> command, int port, Path logs)
      throws IOException, InterruptedException {
    Path log = logs.resolve("server-" + name + ".log");
    Process process;
    synchronized (this) {
      process =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD) // the log lines
              .redirectError(log.toFile())
              .start();
      started.add(process);
    }
    HttpOverheadRunner.Server server = new HttpOverheadRunner.Server(name, port, process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "server "
                + name
                + " exited with "
                + process.exitValue()
                + ": "
                + Files.readString(log).strip());
      }
      try {
        HttpOverheadRunner.get(port, "/stats");
        return server;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "server "
                  + name
                  + " not listening on port "
                  + port
                  + " after 60 s: "
                  + Files.readString(log).strip());
        }
        Thread.sleep(100); // polling a port that is not open yet; nothing to wait on
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Stops one started process (and its descendants) and waits for it to end. */
  void stop(Process process) throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    forget(process);
  }

  /** The process ended: no need to stop it any more. */
  synchronized void forget(Process process) {
    started.remove(process);
  }

  /** Stops every started process still running, and its descendants. */
  synchronized void stopAll() {
    for (Process process : started) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
    }
    for (Process process : started) {
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    started.clear();
  }
}
