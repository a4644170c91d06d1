package io.tether.cli;

import io.tether.trace.Trace;
import io.tether.trace.TraceExport;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code tether export TRACE --format chrome|tree [-o FILE]}: a trace in another format. */
final class ExportCommand implements Command {

  static final Option FORMAT =
      new Option(
          "--format",
          "-f",
          "chrome|tree",
          "chrome: Chrome trace events (JSON), to open in\n"
              + "ui.perfetto.dev or chrome://tracing\n"
              + "tree: one tree per root, grouped by trigger id (text)");

  static final Option OUTPUT =
      new Option(
          "--output",
          "-o",
          "FILE",
          "the file to write (its folder must exist; an existing\n"
              + "file is replaced); without it, the export goes to\n"
              + "standard output");

  @Override
  public String name() {
    return "export";
  }

  @Override
  public String summary() {
    return "write a trace as Chrome trace events or as a tree";
  }

  @Override
  public String synopsis() {
    return "TRACE --format chrome|tree [-o FILE]";
  }

  @Override
  public String description() {
    return "Writes TRACE (a trace file, or a JFR recording with Tether's events) in another\n"
        + "format: every resource with its runs, as Chrome trace events or as text, one tree of\n"
        + "linked work per root.";
  }

  @Override
  public List<Option> options() {
    return List.of(FORMAT, OUTPUT);
  }

  @Override
  public String notes() {
    return "With -o it prints 'tether: wrote FILE (SIZE)' on standard error, and nothing on\n"
        + "standard output.";
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err)
      throws UsageException, Failure, IOException {
    String input = args.single("a trace file");
    String format = args.one(FORMAT);
    if (format == null) {
      throw new UsageException("export needs --format chrome or --format tree");
    }
    if (!format.equals("chrome") && !format.equals("tree")) {
      throw new UsageException("--format takes chrome or tree, not '" + format + "'");
    }
    String given = args.one(OUTPUT);
    OutputFile output = given == null ? null : OutputFile.check(given, "-o");
    Trace trace = TraceFile.read(input, err);
    Writer w = output == null ? new OutputStreamWriter(out, StandardCharsets.UTF_8) : output.open();
    try {
      if (format.equals("chrome")) {
        TraceExport.chrome(trace, w);
      } else {
        TraceExport.tree(trace, w);
      }
    } finally {
      if (output == null) {
        w.flush(); // standard output stays open
      } else {
        w.close();
      }
    }
    if (output != null) {
      output.confirm(err, null);
    }
    return TetherCli.OK;
  }
}
