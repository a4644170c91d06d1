package io.tether.cli;

import io.tether.trace.HtmlReport;
import io.tether.trace.Trace;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.util.List;

/** {@code tether report TRACE [-o FILE]}: a trace's HTML report, one self-contained page. */
final class ReportCommand implements Command {

  static final Option OUTPUT =
      new Option(
          "--output",
          "-o",
          "FILE",
          "the page to write (default report.html, in the current\n"
              + "folder); its folder must exist; an existing file is\n"
              + "replaced");

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
    return "TRACE [-o FILE]";
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
    return List.of(OUTPUT);
  }

  @Override
  public String notes() {
    return "It prints 'tether: wrote FILE (SIZE; N resources, M events)' on standard error.";
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err)
      throws UsageException, Failure, IOException {
    String input = args.single("a trace file");
    String given = args.one(OUTPUT);
    OutputFile output = OutputFile.check(given == null ? "report.html" : given, "-o");
    Trace trace = TraceFile.read(input, err);
    try (Writer w = output.open()) {
      HtmlReport.write(trace, w);
    }
    output.confirm(err, TraceFile.counts(trace));
    return TetherCli.OK;
  }
}
