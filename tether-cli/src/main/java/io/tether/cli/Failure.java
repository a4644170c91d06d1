package io.tether.cli;

/**
 * The command line is right but the command cannot do its work (a file missing, an output folder
 * missing, a program that cannot start: exit code {@link TetherCli#FAILURE}; a trace that is
 * corrupt or not a trace: {@link TetherCli#CORRUPT}): one line naming what was wrong.
 */
final class Failure extends Exception {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  Failure(String message) {
    this(message, TetherCli.FAILURE);
  }

  private Failure(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  /** A trace that is corrupt or not a trace: the reader's message, exit code 2. */
  static Failure corrupt(String message) {
    return new Failure(message, TetherCli.CORRUPT);
  }

  /** The exit code the command ends with. */
  int exitCode() {
    return exitCode;
  }
}
