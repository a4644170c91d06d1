package io.tether.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * One of the tether command's commands: its name, its help, and what it does. The help is built
 * from the same {@link Option}s the arguments are parsed against.
 */
interface Command {

  /** The name the command is called by ({@code report}). */
  String name();

  /** One line for the general help. */
  String summary();

  /** The arguments, after {@code tether NAME}, as the usage line shows them. */
  String synopsis();

  /** The paragraph of the command's help between its usage line and its options. */
  String description();

  /** The options it takes (besides {@code -h, --help}). */
  List<Option> options();

  /**
   * Whether it runs a program given after {@code --} (then it takes no other operand), and how that
   * reads: {@link #example()}.
   */
  default boolean runsProgram() {
    return false;
  }

  /** A command line that shows how it is used. */
  default String example() {
    return "tether " + name() + " " + synopsis();
  }

  /** What its help ends with (exit codes, where the output goes), or an empty string. */
  default String notes() {
    return "";
  }

  /**
   * Runs the command: results on {@code out}, confirmations and errors on {@code err}.
   *
   * @return the exit code
   * @throws UsageException if the arguments are wrong (checked before anything is read or run)
   * @throws Failure if the command cannot do its work
   * @throws IOException if reading or writing fails
   */
  int run(Args args, PrintStream out, PrintStream err)
      throws UsageException, Failure, IOException, InterruptedException;

  /** {@code usage: tether NAME SYNOPSIS}. */
  default String usage() {
    return "usage: tether " + name() + (synopsis().isEmpty() ? "" : " " + synopsis());
  }

  /** The whole help: usage, description, options, notes. */
  default String help() {
    StringBuilder help = new StringBuilder(usage()).append("\n\n");
    help.append(description()).append("\n\noptions:\n");
    for (Option option : options()) {
      help.append(option.helpLines());
    }
    help.append(new Option("--help", "-h", "", "print this help").helpLines());
    if (!notes().isEmpty()) {
      help.append('\n').append(notes()).append('\n');
    }
    return help.toString();
  }
}
