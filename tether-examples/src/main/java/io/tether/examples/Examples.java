package io.tether.examples;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the examples of Node's {@code async_context.md} by name: {@code request-logger}, {@code
 * worker-pool}, {@code event-listener}, or {@code all} (the default), each under a {@code == name:
 * what it shows ==} header.
 *
 * <pre>
 * mvn -q -Prun-examples -pl tether-examples -am verify -DskipTests [-Dexample=worker-pool]
 * java -cp tether-core.jar:tether-examples.jar io.tether.examples.Examples [name]
 * </pre>
 *
 * <p>An unknown name prints the accepted ones to standard error and exits with status 2. On success
 * the JVM ends by itself: no example leaves a thread running.
 */
public final class Examples {

  /** One example: prints what it shows to the given stream. */
  @FunctionalInterface
  interface Example {
    void run(PrintStream out) throws Exception;
  }

  private record Entry(String title, Example example) {}

  private static final Map<String, Entry> EXAMPLES = new LinkedHashMap<>();

  static {
    EXAMPLES.put(
        "request-logger",
        new Entry("AsyncLocalStorage, the HTTP request logger", RequestLogger::run));
    EXAMPLES.put(
        "worker-pool",
        new Entry(
            "AsyncResource for a worker thread pool",
            out -> WorkerPool.run(out, Runtime.getRuntime().availableProcessors())));
    EXAMPLES.put(
        "event-listener", new Entry("AsyncResource.bind for event listeners", EventListener::run));
  }

  private Examples() {}

  /**
   * Runs the example named by the first argument, or all of them.
   *
   * @param args {@code [request-logger|worker-pool|event-listener|all]}
   * @throws Exception whatever an example throws
   */
  public static void main(String[] args) throws Exception {
    String name = args.length == 0 ? "all" : args[0];
    List<String> names;
    try {
      names = select(name);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    run(names, System.out);
  }

  /**
   * The names of the examples {@code name} stands for: itself, or all of them for {@code all} (and
   * for a blank name, which is what an empty {@code -Dexample=} passes).
   *
   * @throws IllegalArgumentException if {@code name} is no example's name
   */
  static List<String> select(String name) {
    String key = name.trim().toLowerCase(Locale.ROOT);
    if (key.isEmpty() || key.equals("all")) {
      return List.copyOf(EXAMPLES.keySet());
    }
    if (!EXAMPLES.containsKey(key)) {
      throw new IllegalArgumentException(
          "unknown example '"
              + name
              + "': expected one of all, "
              + String.join(", ", EXAMPLES.keySet()));
    }
    return List.of(key);
  }

  /** Runs the named examples in order, each under its header, a blank line between two. */
  static void run(List<String> names, PrintStream out) throws Exception {
    boolean first = true;
    for (String name : names) {
      Entry entry = EXAMPLES.get(name);
      if (!first) {
        out.println();
      }
      first = false;
      out.println("== " + name + ": " + entry.title() + " ==");
      entry.example().run(out);
    }
    out.flush();
  }
}
