package io.tether.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code tether run [--trace FILE] [--agent-options K=V,...] [--agent JAR] -- java ...}: runs a
 * Java command line with the agent attached ({@code -javaagent} added right after the launcher,
 * everything else passed as given), and exits with the program's exit code.
 */
final class RunCommand implements Command {

  static final Option TRACE =
      new Option(
          "--trace",
          null,
          "FILE",
          "record every async hook event into FILE (the agent's\n"
              + "trace=FILE); its folder must exist; an existing file is\n"
              + "replaced");

  static final Option AGENT_OPTIONS =
      new Option(
          "--agent-options",
          null,
          "K=V,...",
          "the agent's options (docs/agent.md), comma-separated, e.g.\n"
              + "asyncStackTraces=true,timers=false; may be repeated; the\n"
              + "agent stops the program at start, naming the option, if\n"
              + "one is unknown");

  static final Option AGENT =
      new Option(
          "--agent",
          null,
          "JAR",
          "the agent jar to attach; default $TETHER_AGENT, else the\n"
              + "agent this command carries (copied to a temporary file of\n"
              + "its own, deleted when the program has exited)");

  /** How long, when this JVM is told to stop, it waits for the program to end (its trace). */
  private static final long STOP_WAIT_SECONDS = 30;

  @Override
  public String name() {
    return "run";
  }

  @Override
  public String summary() {
    return "run a Java program with Tether's agent (and record a trace)";
  }

  @Override
  public String synopsis() {
    return "[--trace FILE] [--agent-options K=V,...] [--agent JAR] -- java [options]"
        + " MainClass|-jar app.jar [args]";
  }

  @Override
  public String description() {
    return String.join(
        "\n",
        "Runs the Java command after -- with Tether's agent attached: -javaagent is added right",
        "after the java launcher, everything else is passed as it is. The program shares this",
        "terminal (input, output, errors); stopping tether stops the program, which completes",
        "its trace.");
  }

  @Override
  public List<Option> options() {
    return List.of(TRACE, AGENT_OPTIONS, AGENT);
  }

  @Override
  public boolean runsProgram() {
    return true;
  }

  @Override
  public String example() {
    return "tether run -- java -jar app.jar";
  }

  @Override
  public String notes() {
    return String.join(
        "\n",
        "With --trace it prints 'tether: wrote FILE (SIZE)' on standard error once the program",
        "has exited. Exit code: the program's; before the program starts, 2 for a usage error",
        "and 1 for a failure (a folder or the agent jar missing, java not found).");
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err)
      throws UsageException, Failure, IOException, InterruptedException {
    List<String> program = args.afterDashes();
    if (program == null || program.isEmpty()) {
      throw new UsageException("run needs the Java command after --, as in " + example());
    }
    String launcher = program.get(0).substring(program.get(0).lastIndexOf(File.separatorChar) + 1);
    if (!launcher.startsWith("java")) {
      throw new UsageException(
          "the command after -- must start with java (or its path), not '"
              + program.get(0)
              + "': the agent is a java launcher's option");
    }
    List<String> agentOptions = agentOptions(args.all(AGENT_OPTIONS));
    String traceGiven = args.one(TRACE);
    OutputFile trace = null;
    if (traceGiven != null) {
      if (traceGiven.indexOf(',') >= 0) {
        throw new UsageException(
            "--trace: the file's path must not contain a comma (it separates the agent's"
                + " options)");
      }
      trace = OutputFile.check(traceGiven, "--trace");
      agentOptions.add(0, "trace=" + trace.path().toAbsolutePath());
    }
    String agentGiven = args.one(AGENT);
    try (AgentJar agent = AgentJar.find(agentGiven, System.getenv("TETHER_AGENT"))) {
      List<String> command = new ArrayList<>();
      command.add(program.get(0));
      command.add(
          "-javaagent:"
              + agent.path()
              + (agentOptions.isEmpty() ? "" : "=" + String.join(",", agentOptions)));
      command.addAll(program.subList(1, program.size()));
      if (trace != null) {
        Files.deleteIfExists(trace.path()); // so that "wrote" is said only of this run's trace
      }
      int exit = runToEnd(command, agent);
      if (trace != null) {
        if (trace.exists()) {
          trace.confirm(err, null);
        } else {
          err.println("tether: the program wrote no trace to " + traceGiven);
        }
      }
      return exit;
    }
  }

  /** The options given, split at commas, checked for the one that {@code --trace} gives. */
  private static List<String> agentOptions(List<String> given) throws UsageException {
    List<String> options = new ArrayList<>();
    for (String value : given) {
      for (String option : value.split(",")) {
        String trimmed = option.trim();
        if (trimmed.isEmpty()) {
          continue;
        }
        String key = trimmed.split("=", 2)[0].trim();
        if (key.equals("trace")) {
          throw new UsageException(
              "--agent-options: give the trace file with --trace FILE, not trace=");
        }
        options.add(trimmed);
      }
    }
    return options;
  }

  private static int runToEnd(List<String> command, AgentJar agent)
      throws Failure, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).inheritIO().start();
    } catch (IOException e) {
      String reason = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      throw new Failure("cannot start '" + command.get(0) + "': " + reason);
    }
    // Told to stop (SIGTERM, Ctrl-C), this JVM stops the program and waits for it, so that its
    // trace is complete, then deletes the agent's copy (close does not run on that path).
    Thread stop =
        new Thread(
            () -> {
              process.destroy();
              try {
                process.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              agent.close();
            },
            "tether-run-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    int exit = process.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(stop);
    } catch (IllegalStateException exiting) {
      // already shutting down: the hook runs
    }
    return exit;
  }
}
