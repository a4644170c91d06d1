package io.tether.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code tether} command: {@code java -jar tether-cli.jar COMMAND ...}, or the {@code
 * bin/tether} script, which runs that jar.
 *
 * <pre>
 * tether run [--trace FILE] [--agent-options K=V,...] [--agent JAR] -- java [options] MainClass|-jar app.jar [args]
 * tether report TRACE [-o FILE]
 * tether export TRACE --format chrome|tree [-o FILE]
 * tether version
 * tether help [COMMAND]          (or: tether --help, tether COMMAND --help)
 * </pre>
 *
 * Results go to standard output; confirmations ({@code tether: wrote FILE (SIZE)}) and errors, one
 * line each, to standard error. Exit codes: {@link #OK}, {@link #FAILURE}, {@link #USAGE} and
 * {@link #CORRUPT} (both 2: what was given is wrong, nothing was written); {@code run} exits with
 * its program's.
 */
public final class TetherCli {

  /** Exit code: done. */
  static final int OK = 0;

  /** Exit code: the command could not do its work (a file missing, not a trace, ...). */
  static final int FAILURE = 1;

  /** Exit code: the command line is wrong; nothing was read or run. */
  static final int USAGE = 2;

  /**
   * Exit code: the input trace is corrupt or not a trace; nothing was written. The same as {@link
   * #USAGE}: what was given is wrong. (A trace only cut short is read, with a warning, exit 0.)
   */
  static final int CORRUPT = 2;

  /** Exit code: interrupted (as a shell reports SIGINT). */
  static final int INTERRUPTED = 130;

  private static final List<Command> COMMANDS =
      List.of(
          new RunCommand(),
          new ReportCommand(),
          new ExportCommand(),
          new DumpCommand(),
          new VersionCommand(),
          new HelpCommand());

  private TetherCli() {}

  /**
   * Runs the command the arguments name and exits with its exit code.
   *
   * @param args the command and its arguments
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns its exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(help());
      return USAGE;
    }
    String name = args[0];
    switch (name) {
      case "-h":
      case "--help":
        name = "help";
        break;
      case "--version":
        name = "version";
        break;
      default:
        break;
    }
    Command command = command(name);
    if (command == null) {
      err.println("tether: unknown command '" + args[0] + "'; commands: " + names());
      err.println("run 'tether help' for the commands and their options");
      return USAGE;
    }
    try {
      Args parsed = Args.parse(command, Arrays.asList(args).subList(1, args.length));
      if (parsed.help()) {
        out.print(command.help());
        return OK;
      }
      return command.run(parsed, out, err);
    } catch (UsageException e) {
      err.println("tether: " + e.getMessage());
      err.println(command.usage());
      err.println("run 'tether " + command.name() + " --help' for more");
      return USAGE;
    } catch (Failure e) {
      err.println("tether: " + e.getMessage());
      return e.exitCode();
    } catch (NoSuchFileException e) {
      err.println("tether: no such file: " + e.getFile());
      return FAILURE;
    } catch (AccessDeniedException e) {
      err.println("tether: permission denied: " + e.getFile());
      return FAILURE;
    } catch (FileSystemException e) {
      err.println(
          "tether: " + e.getFile() + ": " + (e.getReason() != null ? e.getReason() : e.toString()));
      return FAILURE;
    } catch (IOException e) {
      err.println("tether: " + e);
      return FAILURE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("tether: interrupted");
      return INTERRUPTED;
    }
  }

  /** The command of that name, or {@code null}. */
  static Command command(String name) {
    for (Command command : COMMANDS) {
      if (command.name().equals(name)) {
        return command;
      }
    }
    return null;
  }

  /** The commands' names: {@code run, report, export, dump, version, help}. */
  static String names() {
    return COMMANDS.stream().map(Command::name).collect(Collectors.joining(", "));
  }

  /** The general help: what tether does, its commands, its exit codes. */
  static String help() {
    StringBuilder help = new StringBuilder();
    help.append("tether: runs Java programs with Tether's agent and reads the traces they record\n")
        .append("\nusage: tether COMMAND [OPTIONS]\n\ncommands:\n");
    for (Command command : COMMANDS) {
      help.append(String.format("  %-9s %s\n", command.name(), command.summary()));
    }
    return help.append("\n'tether COMMAND --help' prints a command's options.\n")
        .append("\nResults go to standard output; confirmations ('tether: wrote FILE (SIZE)') and")
        .append("\nerrors, one line each, to standard error.\n")
        .append("\nexit codes:\n")
        .append("  0  done\n")
        .append("  1  failed: a file missing or unreadable, an output folder missing, a program\n")
        .append("     that cannot start\n")
        .append("  2  usage error: an unknown command or option, an argument missing; or the\n")
        .append("     trace is corrupt or not a trace ('FILE: corrupt at byte N: ...'); nothing\n")
        .append("     was written. A trace cut short is read, with a warning on standard error\n")
        .append("     and in what is written ('cut short at byte N: ...'), exit code 0.\n")
        .append("  run exits with its program's exit code once the program has started.\n")
        .append("\nenvironment:\n")
        .append("  TETHER_AGENT   the agent jar run attaches when --agent is not given\n")
        .append("\ndocumentation: https://github.com/tether-jvm/tether/blob/main/docs/tools.md\n")
        .toString();
  }
}
