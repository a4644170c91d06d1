package io.tether.trace;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tether} command (launcher script {@code bin/tether}, or {@code java -jar
 * tether-trace/target/tether.jar}):
 *
 * <pre>
 * tether run [--trace FILE] [--agent JAR] -- java [options] MainClass|-jar app.jar [args]
 * tether report FILE [-o report.html]
 * tether export FILE --format chrome|tree [-o OUT]
 * </pre>
 *
 * {@code run} runs any Java command line with Tether's agent attached (recording a trace with
 * {@code --trace}); the agent jar is {@code --agent}, else {@code $TETHER_AGENT}, else {@code
 * tether-agent.jar} beside this jar. A file that is not a trace, or is corrupt, is one line naming
 * the file and the byte offset, and exit code 2. Usage errors exit with 2 too.
 */
public final class TetherCli {

  static final String USAGE =
      String.join(
          "\n",
          "usage: tether run [--trace FILE] [--agent JAR] -- java [options] MainClass|-jar app.jar [args]",
          "       tether report FILE [-o report.html]",
          "       tether export FILE --format chrome|tree [-o OUT]");

  /** A usage error: its message is printed with the usage, exit code 2. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  private TetherCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns its exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      if (args.length == 0) {
        throw new UsageException("no command");
      }
      switch (args[0]) {
        case "run":
          return runJava(args, err);
        case "report":
          return report(args, out);
        case "export":
          return export(args, out);
        case "help":
        case "--help":
        case "-h":
          out.println(USAGE);
          return 0;
        default:
          throw new UsageException("unknown command '" + args[0] + "'");
      }
    } catch (UsageException e) {
      err.println("tether: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (TraceFormatException e) {
      err.println("tether: " + e.getMessage());
      return 2;
    } catch (NoSuchFileException e) {
      err.println("tether: " + e.getFile() + ": no such file");
      return 2;
    } catch (IOException e) {
      err.println("tether: " + e);
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("tether: interrupted");
      return 130;
    }
  }

  private static String value(String[] args, int i, String option) throws UsageException {
    if (i + 1 >= args.length) {
      throw new UsageException(option + " needs a value");
    }
    return args[i + 1];
  }

  private static int report(String[] args, PrintStream out) throws UsageException, IOException {
    String input = null;
    String output = "report.html";
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("-o") || args[i].equals("--output")) {
        output = value(args, i, args[i]);
        i++;
      } else if (args[i].startsWith("-")) {
        throw new UsageException("unknown option '" + args[i] + "' for report");
      } else if (input == null) {
        input = args[i];
      } else {
        throw new UsageException("report takes one trace file");
      }
    }
    if (input == null) {
      throw new UsageException("report needs a trace file");
    }
    Trace trace = Trace.read(Path.of(input));
    Path target = Path.of(output);
    try (Writer w = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
      HtmlReport.write(trace, w);
    }
    out.println(
        "tether: wrote "
            + target
            + " ("
            + trace.resources().size()
            + " resources, "
            + trace.events()
            + " events)");
    return 0;
  }

  private static int export(String[] args, PrintStream out) throws UsageException, IOException {
    String input = null;
    String format = null;
    String output = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--format") || args[i].equals("-f")) {
        format = value(args, i, args[i]);
        i++;
      } else if (args[i].equals("-o") || args[i].equals("--output")) {
        output = value(args, i, args[i]);
        i++;
      } else if (args[i].startsWith("-")) {
        throw new UsageException("unknown option '" + args[i] + "' for export");
      } else if (input == null) {
        input = args[i];
      } else {
        throw new UsageException("export takes one trace file");
      }
    }
    if (input == null) {
      throw new UsageException("export needs a trace file");
    }
    if (format == null || !(format.equals("chrome") || format.equals("tree"))) {
      throw new UsageException(
          "export needs --format chrome or --format tree"
              + (format == null ? "" : ", not '" + format + "'"));
    }
    Trace trace = Trace.read(Path.of(input));
    Writer w =
        output == null
            ? new OutputStreamWriter(out, StandardCharsets.UTF_8)
            : Files.newBufferedWriter(Path.of(output), StandardCharsets.UTF_8);
    try {
      if (format.equals("chrome")) {
        TraceExport.chrome(trace, w);
      } else {
        TraceExport.tree(trace, w);
      }
    } finally {
      if (output != null) {
        w.close();
      } else {
        w.flush();
      }
    }
    return 0;
  }

  private static int runJava(String[] args, PrintStream err)
      throws UsageException, IOException, InterruptedException {
    String trace = null;
    String agent = null;
    int i = 1;
    for (; i < args.length && !args[i].equals("--"); i++) {
      if (args[i].equals("--trace")) {
        trace = value(args, i, "--trace");
        i++;
      } else if (args[i].equals("--agent")) {
        agent = value(args, i, "--agent");
        i++;
      } else {
        throw new UsageException(
            "unknown option '" + args[i] + "' for run (the Java command" + " line goes after --)");
      }
    }
    if (i >= args.length - 1) {
      throw new UsageException("run needs a Java command line after --");
    }
    Path agentJar = agentJar(agent);
    List<String> command = new ArrayList<>();
    command.add(args[i + 1]);
    String options = trace == null ? "" : "=trace=" + Path.of(trace).toAbsolutePath();
    if (options.indexOf(',') >= 0) {
      throw new UsageException("the trace file's path must not contain a comma");
    }
    command.add("-javaagent:" + agentJar + options);
    for (int k = i + 2; k < args.length; k++) {
      command.add(args[k]);
    }
    Process process = new ProcessBuilder(command).inheritIO().start();
    Thread forward = new Thread(process::destroy, "tether-run-forward");
    Runtime.getRuntime().addShutdownHook(forward); // SIGTERM to us ends the child cleanly too
    int exit = process.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(forward);
    } catch (IllegalStateException exiting) {
      // already shutting down
    }
    if (trace != null) {
      err.println("tether: trace written to " + trace);
    }
    return exit;
  }

  private static Path agentJar(String option) throws UsageException {
    String chosen = option != null ? option : System.getenv("TETHER_AGENT");
    Path jar;
    if (chosen != null && !chosen.isEmpty()) {
      jar = Path.of(chosen);
    } else {
      try {
        Path self =
            Path.of(TetherCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        jar = self.resolveSibling("tether-agent.jar");
      } catch (java.net.URISyntaxException | RuntimeException e) {
        throw new UsageException("cannot locate tether-agent.jar: pass --agent JAR");
      }
    }
    if (!Files.isRegularFile(jar)) {
      throw new UsageException(
          "agent jar "
              + jar
              + " not found: build it (mvn -q install"
              + " -DskipTests) or pass --agent JAR or set TETHER_AGENT");
    }
    return jar.toAbsolutePath();
  }
}
