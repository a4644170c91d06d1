package io.tether.cli;

import io.tether.trace.HtmlReport;
import io.tether.trace.RequestReport;
import io.tether.trace.Trace;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.util.List;

/**
 * {@code tether report TRACE [--by STORAGE [--top N]] [-o FILE]}: a trace's HTML report, one
 * self-contained page; with {@code --by}, the per-request view.
 */
final class ReportCommand implements Command {

  static final Option OUTPUT =
      new Option(
          "--output",
          "-o",
          "FILE",
          "the page to write (default report.html, in the current\n"
              + "folder); its folder must exist; an existing file is\n"
              + "replaced");

  static final Option BY =
      new Option(
          "--by",
          null,
          "STORAGE",
          "the per-request view: the work grouped by the values\n"
              + "of the storage of that name (a request id), slowest\n"
              + "first, each a waterfall with its critical path (a JFR\n"
              + "recording made with jfrContext=STORAGE)");

  static final Option TOP =
      new Option("--top", null, "N", "with --by: how many of the slowest requests (default 10)");

  @Override
  public String name() {
    return "report";
  }

  @Override
  public String summary() {
    return "write a trace's HTML report";
  }

  @Override
  public String synopsis() {
    return "TRACE [--by STORAGE [--top N]] [-o FILE]";
  }

  @Override
  public String description() {
    return String.join(
        "\n",
        "Writes the HTML report of TRACE (a file recorded by tether run --trace, or the agent's",
        "trace=FILE; or a JFR recording made with the agent's jfr=true): the async call graph by",
        "resource type and call site, a timeline of threads, the slowest causal chains and the",
        "call sites that created the most work, in one page that needs nothing else to open.");
  }

  @Override
  public List<Option> options() {
    return List.of(BY, TOP, OUTPUT);
  }

  @Override
  public String notes() {
    return "It prints 'tether: wrote FILE (SIZE; N resources, M events)' on standard error.";
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err)
      throws UsageException, Failure, IOException {
    String input = args.single("a trace file");
    String by = args.one(BY);
    int top = top(args.one(TOP), by);
    String given = args.one(OUTPUT);
    OutputFile output = OutputFile.check(given == null ? "report.html" : given, "-o");
    Trace trace = TraceFile.read(input, err);
    String missing = by == null ? null : RequestReport.missing(trace, by);
    if (missing != null) {
      throw new Failure(missing);
    }
    try (Writer w = output.open()) {
      if (by != null) {
        RequestReport.write(trace, by, top, w);
      } else {
        HtmlReport.write(trace, w);
      }
    }
    output.confirm(err, TraceFile.counts(trace));
    return TetherCli.OK;
  }

  private static int top(String given, String by) throws UsageException {
    if (given == null) {
      return 10;
    }
    if (by == null) {
      throw new UsageException("--top goes with --by STORAGE");
    }
    try {
      int n = Integer.parseInt(given);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new UsageException("--top takes a positive number, not '" + given + "'");
  }
}
