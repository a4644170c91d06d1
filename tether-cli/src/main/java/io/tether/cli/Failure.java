package io.tether.cli;

/**
 * The command line is right but the command cannot do its work (a file missing, not a trace, an
 * output folder missing, a program that cannot start): one line naming what was wrong, exit code
 * {@link TetherCli#FAILURE}.
 */
final class Failure extends Exception {

  private static final long serialVersionUID = 1L;

  Failure(String message) {
    super(message);
  }
}
