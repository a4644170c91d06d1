package io.tether.cli;

/**
 * The command line is wrong (an unknown command or option, an argument missing or given twice): one
 * line, the command's usage, exit code {@link TetherCli#USAGE}. Nothing has been read or run.
 */
final class UsageException extends Exception {

  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
