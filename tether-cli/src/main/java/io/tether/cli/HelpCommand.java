package io.tether.cli;

import java.io.PrintStream;
import java.util.List;

/** {@code tether help [COMMAND]}: the general help, or a command's. */
final class HelpCommand implements Command {

  @Override
  public String name() {
    return "help";
  }

  @Override
  public String summary() {
    return "print this help, or a command's (also: tether COMMAND --help)";
  }

  @Override
  public String synopsis() {
    return "[COMMAND]";
  }

  @Override
  public String description() {
    return "Prints the general help: the commands and the exit codes; with COMMAND, that"
        + " command's\nhelp, as tether COMMAND --help does.";
  }

  @Override
  public List<Option> options() {
    return List.of();
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws UsageException {
    if (args.operands().isEmpty()) {
      out.print(TetherCli.help());
      return TetherCli.OK;
    }
    String name = args.single("a command");
    Command command = TetherCli.command(name);
    if (command == null) {
      throw new UsageException("no command '" + name + "'; commands: " + TetherCli.names());
    }
    out.print(command.help());
    return TetherCli.OK;
  }
}
