package io.tether.cli;

import java.io.PrintStream;
import java.util.List;

/** {@code tether version}: the project's version, from this jar's manifest. */
final class VersionCommand implements Command {

  @Override
  public String name() {
    return "version";
  }

  @Override
  public String summary() {
    return "print Tether's version (also: tether --version)";
  }

  @Override
  public String synopsis() {
    return "";
  }

  @Override
  public String description() {
    return "Prints 'tether VERSION': the version of this command, of the agent it carries and of\n"
        + "the trace tools, which are built together.";
  }

  @Override
  public List<Option> options() {
    return List.of();
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws UsageException {
    if (!args.operands().isEmpty()) {
      throw new UsageException("version takes no arguments");
    }
    out.println("tether " + version());
    return TetherCli.OK;
  }

  /** The version in this jar's manifest ({@code Implementation-Version}). */
  static String version() {
    String version = VersionCommand.class.getPackage().getImplementationVersion();
    return version != null ? version : "(unknown: not run from tether-cli.jar)";
  }
}
