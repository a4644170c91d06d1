package io.tether.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command's arguments, parsed against its options: the options' values, the operands, and, for a
 * command that runs a program ({@code run}), what follows {@code --}, taken as it is. {@code -h} or
 * {@code --help} before {@code --} asks for the command's help, whatever else is there.
 */
final class Args {

  private final String command;
  private final Map<String, List<String>> values = new LinkedHashMap<>();
  private final List<String> operands = new ArrayList<>();
  private List<String> afterDashes;
  private boolean help;

  private Args(String command) {
    this.command = command;
  }

  /**
   * Parses {@code args} (the command's name excluded) against the command's options.
   *
   * @throws UsageException for an unknown option, an option without its value, an argument before
   *     {@code --} where a program is expected after it, or a {@code --} where none is
   */
  static Args parse(Command command, List<String> args) throws UsageException {
    Args parsed = new Args(command.name());
    int end = args.indexOf("--");
    List<String> own = end < 0 ? args : args.subList(0, end);
    if (own.contains("-h") || own.contains("--help")) {
      parsed.help = true;
      return parsed;
    }
    if (end >= 0) {
      if (!command.runsProgram()) {
        throw new UsageException(command.name() + " takes nothing after --");
      }
      parsed.afterDashes = List.copyOf(args.subList(end + 1, args.size()));
    }
    List<Option> options = command.options();
    for (int i = 0; i < own.size(); i++) {
      String arg = own.get(i);
      if (!arg.startsWith("-") || arg.equals("-")) {
        if (command.runsProgram()) {
          throw new UsageException(
              "'" + arg + "' before --: the program goes after --, as in " + command.example());
        }
        parsed.operands.add(arg);
        continue;
      }
      int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
      String name = eq < 0 ? arg : arg.substring(0, eq);
      Option option = find(options, name);
      if (option == null) {
        throw new UsageException("unknown option '" + name + "' for " + command.name());
      }
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < own.size()) {
        value = own.get(++i);
      } else {
        throw new UsageException(name + " needs a value (" + option.value() + ")");
      }
      if (value.isEmpty()) {
        throw new UsageException(name + " needs a value (" + option.value() + "), was empty");
      }
      parsed.values.computeIfAbsent(option.name(), k -> new ArrayList<>()).add(value);
    }
    return parsed;
  }

  private static Option find(List<Option> options, String name) {
    for (Option option : options) {
      if (name.equals(option.name()) || name.equals(option.shortName())) {
        return option;
      }
    }
    return null;
  }

  /** Whether {@code -h} or {@code --help} was given. */
  boolean help() {
    return help;
  }

  /**
   * The value of an option that may be given once, or {@code null}.
   *
   * @throws UsageException if it was given more than once
   */
  String one(Option option) throws UsageException {
    List<String> given = values.getOrDefault(option.name(), List.of());
    if (given.size() > 1) {
      throw new UsageException(option.name() + " is given " + given.size() + " times");
    }
    return given.isEmpty() ? null : given.get(0);
  }

  /** Every value of an option that may be repeated, in order. */
  List<String> all(Option option) {
    return values.getOrDefault(option.name(), List.of());
  }

  /**
   * The one operand the command takes (a trace file, say).
   *
   * @param what what it is, for the error ({@code "a trace file"})
   * @throws UsageException if there is none, or more than one
   */
  String single(String what) throws UsageException {
    if (operands.isEmpty()) {
      throw new UsageException(command + " needs " + what);
    }
    if (operands.size() > 1) {
      throw new UsageException(
          command + " takes one " + what.replaceFirst("^an? ", "") + ", got " + operands);
    }
    return operands.get(0);
  }

  /** The operands (arguments that are no option nor an option's value), before {@code --}. */
  List<String> operands() {
    return operands;
  }

  /** What follows {@code --}, or {@code null} if there was no {@code --}. */
  List<String> afterDashes() {
    return afterDashes;
  }
}
