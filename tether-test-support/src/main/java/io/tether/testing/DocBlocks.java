package io.tether.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The code blocks of the project's documentation (the README and {@code docs/*.md}), for the tests
 * that keep them true: a block is named by an HTML comment on the line before its fence, {@code
 * <!-- check: NAME -->}, and a test of the module whose API it shows compiles it ({@link #compile})
 * or runs it ({@link #run}); the block of what a program prints is marked {@code <!-- output: NAME
 * -->} with the program's name.
 *
 * <pre>{@code
 * Path classes = DocBlocks.compile("readme-hello", "%s");   // the block is a whole program
 * assertThat(DocBlocks.run(classes, "Hello")).isEqualTo(DocBlocks.output("readme-hello").text() + "\n");
 * }</pre>
 *
 * <p>Invariants: a name is on exactly one block of the documentation; a compile error is reported
 * at the line of the Markdown file it comes from.
 */
public final class DocBlocks {

  private static final Pattern FENCE = Pattern.compile("^(\\s*)```\\s*([A-Za-z0-9+-]*)\\s*$");
  private static final Pattern MARKER =
      Pattern.compile("^\\s*<!--\\s*(check|output):\\s*([A-Za-z0-9._-]+)\\s*-->\\s*$");

  /**
   * One fenced code block.
   *
   * @param file the Markdown file, relative to the project's root
   * @param line the line of its first line of code (1-based)
   * @param language the fence's language, or empty
   * @param kind {@code check}, {@code output} or empty: the marker before the fence
   * @param name the marker's name, or empty
   * @param text the block's lines, without the fences, with their common indentation removed
   */
  public record Block(Path file, int line, String language, String kind, String name, String text) {

    /**
     * Where the block is, for messages.
     *
     * @return {@code docs/agent.md:36}
     */
    public String where() {
      return file + ":" + line;
    }
  }

  private DocBlocks() {}

  /**
   * The project's root: the nearest folder above the working directory with {@code
   * docs/architecture.md}.
   *
   * @return the root
   */
  public static Path projectRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docs").resolve("architecture.md"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no project root (a folder with docs/architecture.md) above "
            + Path.of("").toAbsolutePath());
  }

  /**
   * The Markdown files of the documentation: the README and every {@code docs/*.md}.
   *
   * @return their paths, relative to the project's root, the README first
   */
  public static List<Path> documents() {
    Path root = projectRoot();
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      List<Path> all = new ArrayList<>();
      all.add(Path.of("README.md"));
      docs.filter(p -> p.getFileName().toString().endsWith(".md"))
          .sorted()
          .forEach(p -> all.add(root.relativize(p)));
      return all;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every code block of the documentation.
   *
   * @return the blocks, file by file, in order
   */
  public static List<Block> all() {
    List<Block> blocks = new ArrayList<>();
    for (Path doc : documents()) {
      blocks.addAll(blocks(doc));
    }
    return blocks;
  }

  /**
   * The code blocks of one Markdown file.
   *
   * @param doc the file, relative to the project's root
   * @return its blocks, in order
   */
  public static List<Block> blocks(Path doc) {
    List<String> lines;
    try {
      lines = Files.readAllLines(projectRoot().resolve(doc), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.matches()) {
        continue;
      }
      int close = i + 1;
      while (close < lines.size() && !lines.get(close).trim().equals("```")) {
        close++;
      }
      if (close == lines.size()) {
        throw new AssertionError(doc + ":" + (i + 1) + ": a code block that is never closed");
      }
      String kind = "";
      String name = "";
      Matcher marker = i > 0 ? MARKER.matcher(lines.get(i - 1)) : null;
      if (marker != null && marker.matches()) {
        kind = marker.group(1);
        name = marker.group(2);
      }
      String language = open.group(2).toLowerCase(Locale.ROOT);
      blocks.add(new Block(doc, i + 2, language, kind, name, dedent(lines.subList(i + 1, close))));
      i = close;
    }
    return blocks;
  }

  /**
   * The one block of the documentation marked {@code <!-- check: NAME -->}.
   *
   * @param name the name in its marker
   * @return the block
   */
  public static Block named(String name) {
    return marked("check", name);
  }

  /**
   * The one block of the documentation marked {@code <!-- output: NAME -->}: what the program of
   * that name prints.
   *
   * @param name the name in its marker
   * @return the block
   */
  public static Block output(String name) {
    return marked("output", name);
  }

  private static Block marked(String kind, String name) {
    List<Block> found =
        all().stream().filter(b -> b.kind().equals(kind) && b.name().equals(name)).toList();
    if (found.size() != 1) {
      throw new AssertionError(
          found.isEmpty()
              ? "no code block of the docs is marked <!-- " + kind + ": " + name + " -->"
              : "<!-- " + kind + ": " + name + " --> is on " + found.size() + " blocks: " + found);
    }
    return found.get(0);
  }

  /**
   * Compiles the named block, put into a source at its {@code %s}, with the class path of the
   * running tests.
   *
   * @param name the block's name
   * @param source a compilation unit with one {@code %s} where the block goes ({@code "%s"} when
   *     the block is a whole compilation unit)
   * @return the folder of the compiled classes
   */
  public static Path compile(String name, String source) {
    Block block = named(name);
    int at = source.indexOf("%s");
    if (at < 0 || source.indexOf("%s", at + 2) >= 0) {
      throw new IllegalArgumentException("the source must have exactly one %s: " + source);
    }
    int blockStart = (int) source.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    int blockLines = (int) block.text().chars().filter(c -> c == '\n').count() + 1;
    String unit = source.substring(0, at) + block.text() + source.substring(at + 2);
    String className = publicClass(unit);
    try {
      Path dir = Files.createTempDirectory("tether-doc-" + name);
      Path sources = Files.createDirectories(dir.resolve("src"));
      Path classes = Files.createDirectories(dir.resolve("classes"));
      Path file = sources.resolve(className + ".java");
      Files.writeString(file, unit);
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
      try (StandardJavaFileManager files =
          javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
        boolean ok =
            javac
                .getTask(
                    null,
                    files,
                    diagnostics,
                    List.of(
                        "-classpath",
                        System.getProperty("java.class.path"),
                        "-d",
                        classes.toString(),
                        "-proc:none",
                        "-nowarn"),
                    null,
                    files.getJavaFileObjects(file))
                .call();
        List<String> errors =
            diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> at(block, d, blockStart, blockLines) + ": " + d.getMessage(Locale.ROOT))
                .collect(Collectors.toList());
        if (!ok || !errors.isEmpty()) {
          throw new AssertionError(
              "the code block " + name + " does not compile:\n" + String.join("\n", errors));
        }
      }
      return classes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs a compiled program in a new JVM with the class path of the running tests, and returns what
   * it printed; fails if it does not end within 30 seconds (a program that forgets to shut down a
   * pool) or exits with another status than 0.
   *
   * @param classes the folder {@link #compile} returned
   * @param mainClass the class to run
   * @param jvmOptions options before the class path ({@code -javaagent:...})
   * @return its standard output, with {@code \n} line ends
   */
  public static String run(Path classes, String mainClass, String... jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.add("-cp");
    command.add(classes + java.io.File.pathSeparator + System.getProperty("java.class.path"));
    command.add(mainClass);
    try {
      Path err = Files.createTempFile("tether-doc-run", ".err");
      Process process =
          new ProcessBuilder(command).redirectError(err.toFile()).redirectInput(nullFile()).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(mainClass + " did not end within 30 seconds");
      }
      String stderr = Files.readString(err);
      Files.delete(err);
      assertThat(process.exitValue())
          .as("exit status of %s; it printed on stderr:%n%s", mainClass, stderr)
          .isZero();
      return new String(out, StandardCharsets.UTF_8).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while " + mainClass + " ran", e);
    }
  }

  /**
   * The lines of a source file between a comment line {@code docs: NAME} and the next {@code end
   * docs}, with their common indentation removed: for a block of a language this class cannot
   * compile, kept word for word in a source that the module's build compiles.
   *
   * @param source the source file
   * @param name the name after {@code docs:}
   * @return the lines between the two comments
   */
  public static String region(Path source, String name) {
    List<String> lines;
    try {
      lines = Files.readAllLines(source, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (start < 0 && line.matches("//\\s*docs:\\s*" + Pattern.quote(name) + "\\s*")) {
        start = i + 1;
      } else if (start >= 0 && line.matches("//\\s*end docs\\s*")) {
        return dedent(lines.subList(start, i));
      }
    }
    throw new AssertionError(source + ": no region between // docs: " + name + " and // end docs");
  }

  private static java.io.File nullFile() {
    return new java.io.File(
        System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private static String at(
      Block block, Diagnostic<? extends JavaFileObject> d, int blockStart, int blockLines) {
    long line = d.getLineNumber();
    if (line >= blockStart && line < blockStart + blockLines) {
      return block.file() + ":" + (block.line() + line - blockStart);
    }
    return block.where() + " (line " + line + " of the source around it)";
  }

  private static String publicClass(String unit) {
    Matcher m =
        Pattern.compile("(?m)^public\\s+(?:final\\s+)?(?:class|record|interface)\\s+(\\w+)")
            .matcher(unit);
    if (m.find()) {
      return m.group(1);
    }
    Matcher any = Pattern.compile("(?m)^(?:final\\s+)?(?:class|record)\\s+(\\w+)").matcher(unit);
    if (any.find()) {
      return any.group(1);
    }
    throw new IllegalArgumentException("no top-level class in the source: " + unit);
  }

  private static String dedent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String line : lines) {
      if (!line.isBlank()) {
        indent = Math.min(indent, line.length() - line.stripLeading().length());
      }
    }
    int cut = indent == Integer.MAX_VALUE ? 0 : indent;
    return lines.stream()
        .map(l -> l.isBlank() ? "" : l.substring(cut).stripTrailing())
        .collect(Collectors.joining("\n"));
  }
}
