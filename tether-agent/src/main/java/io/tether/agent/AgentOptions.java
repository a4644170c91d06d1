package io.tether.agent;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's options, {@code -javaagent:tether-agent.jar=key=value,key=value}. Each family of
 * instrumentation can be turned off; {@code debug=true} prints every class the agent instruments;
 * {@code trace=FILE} records every async hook event into FILE (see {@code tether-trace}); {@code
 * asyncStackTraces=true} adds the link points' stacks to exceptions escaping continuations; {@code
 * links=FILE;FILE} adds the declarations of in-house libraries' link points ({@link Links}); {@code
 * jfr=true} emits every async hook event as a JDK Flight Recorder event while a recording runs, and
 * {@code jfrContext=NAME;NAME} (which implies it) puts the values of the storages of those names on
 * them. {@code flight=DURATION} keeps a flight recording of that much of the recent past ({@code
 * io.tether.recorder.TetherFlight}), dumped on demand, on an uncaught exception ({@code
 * flightUncaught=false} turns that off) and, with {@code flightSlow=NAME:DURATION}, when a root of
 * work of the storage NAME takes longer; {@code flightDir=DIR} is where dumps go, {@code
 * flightStacks=true} adds call sites' stacks. {@code leaks=DURATION} turns the context leak
 * detector on (the duration is read once tether-core is on the bootstrap class path, by {@code
 * Leaks.parseThreshold}, the parser of the system property too). An unknown key or a bad value is
 * an error that names the option and what it accepts.
 */
final class AgentOptions {

  /** The families of instrumentation, each an option that is {@code true} unless set otherwise. */
  enum Family {
    EXECUTORS("executors"),
    FORKJOIN("forkjoin"),
    FUTURES("futures"),
    THREADS("threads"),
    TIMERS("timers"),
    HTTP("http"),
    NIO("nio"),
    /** Kotlin coroutines: every new coroutine gets Tether's context element. */
    COROUTINES("coroutines"),
    /** The built-in declarations of third-party libraries ({@link Links#builtIn}). */
    LIBRARIES("libraries");

    final String key;

    Family(String key) {
      this.key = key;
    }
  }

  private final Map<Family, Boolean> enabled = new EnumMap<>(Family.class);
  private boolean debug;
  private String trace;
  private String links;
  private boolean asyncStackTraces;
  private Boolean jfr;
  private List<String> jfrContext = List.of();
  private java.time.Duration flight;
  private String flightDir;
  private String flightSlowRoot;
  private java.time.Duration flightSlow;
  private boolean flightStacks;
  private boolean flightUncaught = true;
  private boolean flightSwitchGiven;
  private String leaks;

  private AgentOptions() {
    for (Family f : Family.values()) {
      enabled.put(f, true);
    }
  }

  static String acceptedKeys() {
    StringBuilder keys = new StringBuilder();
    for (Family f : Family.values()) {
      keys.append(f.key).append(", ");
    }
    return keys.append(
            "debug, asyncStackTraces, trace, links, jfr, jfrContext, flight, flightDir,"
                + " flightSlow, flightStacks, flightUncaught, leaks")
        .toString();
  }

  static AgentOptions parse(String args) {
    AgentOptions options = new AgentOptions();
    if (args == null || args.isBlank()) {
      return options;
    }
    for (String pair : args.split(",")) {
      String trimmed = pair.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      int eq = trimmed.indexOf('=');
      String key = eq < 0 ? trimmed : trimmed.substring(0, eq).trim();
      String value = eq < 0 ? "" : trimmed.substring(eq + 1).trim();
      Family family = null;
      for (Family f : Family.values()) {
        if (f.key.equals(key)) {
          family = f;
        }
      }
      if (key.equals("trace")) {
        if (value.isEmpty()) {
          throw new IllegalArgumentException(
              "option 'trace' takes the path of the trace file to" + " write, was empty");
        }
        options.trace = value;
        continue;
      }
      if (key.equals("links")) {
        if (value.isEmpty()) {
          throw new IllegalArgumentException(
              "option 'links' takes the paths of links files, separated by ';', was empty");
        }
        options.links = value;
        continue;
      }
      if (key.equals("leaks")) {
        if (value.isEmpty()) {
          throw new IllegalArgumentException(
              "option 'leaks' takes a positive duration such as 30s, 500ms, 5m or 1h, was empty");
        }
        options.leaks = value;
        continue;
      }
      if (key.equals("jfrContext")) {
        options.jfrContext = storageNames(value);
        continue;
      }
      if (key.equals("flight")) {
        options.flight = duration(key, value);
        continue;
      }
      if (key.equals("flightDir")) {
        if (value.isEmpty()) {
          throw new IllegalArgumentException(
              "option 'flightDir' takes the folder flight recordings are written to, was empty");
        }
        options.flightDir = value;
        continue;
      }
      if (key.equals("flightSlow")) {
        int colon = value.lastIndexOf(':');
        String name = colon < 0 ? "" : value.substring(0, colon).trim();
        if (name.isEmpty()) {
          throw new IllegalArgumentException(
              "option 'flightSlow' takes NAME:DURATION (the name of the storage whose values"
                  + " identify requests, and how long is slow: requestId:2s), was '"
                  + value
                  + "'");
        }
        options.flightSlowRoot = name;
        options.flightSlow = duration(key, value.substring(colon + 1).trim());
        continue;
      }
      if (family == null
          && !key.equals("debug")
          && !key.equals("asyncStackTraces")
          && !key.equals("jfr")
          && !key.equals("flightStacks")
          && !key.equals("flightUncaught")) {
        throw new IllegalArgumentException(
            "unknown option '"
                + printable(key)
                + "'; accepted options: "
                + acceptedKeys()
                + " (trace=FILE, links=FILE;FILE, jfrContext=NAME;NAME, flight=DURATION,"
                + " flightDir=DIR, flightSlow=NAME:DURATION, leaks=DURATION, the others =true or"
                + " =false)");
      }
      boolean on;
      if (value.equals("true")) {
        on = true;
      } else if (value.equals("false")) {
        on = false;
      } else {
        throw new IllegalArgumentException(
            "option '" + printable(key) + "' takes true or false, was '" + printable(value) + "'");
      }
      if (key.equals("asyncStackTraces")) {
        options.asyncStackTraces = on;
      } else if (key.equals("jfr")) {
        options.jfr = on;
      } else if (key.equals("flightStacks")) {
        options.flightStacks = on;
        options.flightSwitchGiven = true;
      } else if (key.equals("flightUncaught")) {
        options.flightUncaught = on;
        options.flightSwitchGiven = true;
      } else if (family == null) {
        options.debug = on;
      } else {
        options.enabled.put(family, on);
      }
    }
    if (Boolean.FALSE.equals(options.jfr) && !options.jfrContext.isEmpty()) {
      throw new IllegalArgumentException(
          "option 'jfrContext' puts storages' values on JFR events, which jfr=false turns off");
    }
    if (options.flight == null
        && (options.flightDir != null || options.flightSlow != null || options.flightSwitchGiven)) {
      throw new IllegalArgumentException(
          "the flightDir, flightSlow, flightStacks and flightUncaught options need flight=DURATION"
              + " (how much of the recent past the flight recording keeps: flight=5m)");
    }
    if (options.flight != null && Boolean.FALSE.equals(options.jfr)) {
      throw new IllegalArgumentException(
          "option 'flight' records Tether's JFR events, which jfr=false turns off");
    }
    return options;
  }

  /** A duration written {@code 500ms}, {@code 30s}, {@code 5m} or {@code 1h}: positive. */
  private static java.time.Duration duration(String key, String value) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)").matcher(value);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException(
          "option '"
              + key
              + "' takes a positive duration such as 500ms, 30s, 5m or 1h, was '"
              + value
              + "'");
    }
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "ms":
        return java.time.Duration.ofMillis(n);
      case "s":
        return java.time.Duration.ofSeconds(n);
      case "m":
        return java.time.Duration.ofMinutes(n);
      default:
        return java.time.Duration.ofHours(n);
    }
  }

  /**
   * The storage names of {@code jfrContext}: ';'-separated, each a Java identifier (it names a
   * field of the JFR event), none twice.
   */
  private static List<String> storageNames(String value) {
    List<String> names = new ArrayList<>();
    for (String name : value.split(";", -1)) {
      String n = name.trim();
      boolean identifier = !n.isEmpty() && Character.isJavaIdentifierStart(n.charAt(0));
      for (int i = 1; identifier && i < n.length(); i++) {
        identifier = Character.isJavaIdentifierPart(n.charAt(i));
      }
      if (!identifier || names.contains(n)) {
        throw new IllegalArgumentException(
            "option 'jfrContext' takes the names of AsyncLocalStorages, separated by ';', each a"
                + " Java identifier and given once, was '"
                + printable(value)
                + "'");
      }
      names.add(n);
    }
    return List.copyOf(names);
  }

  /**
   * {@code text} as an error message may show it on one line: control characters and line
   * separators as {@code \\uXXXX}.
   */
  static String printable(String text) {
    StringBuilder shown = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean unprintable = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
      if (unprintable && shown == null) {
        shown = new StringBuilder(text.length() + 8).append(text, 0, i);
      }
      if (unprintable) {
        shown.append(String.format("\\u%04x", (int) c));
      } else if (shown != null) {
        shown.append(c);
      }
    }
    return shown == null ? text : shown.toString();
  }

  boolean enabled(Family family) {
    return enabled.get(family);
  }

  boolean debug() {
    return debug;
  }

  /** Whether exceptions escaping a continuation get the async stack of its link points. */
  boolean asyncStackTraces() {
    return asyncStackTraces;
  }

  /** The trace file to record every async hook event into, or {@code null}. */
  String trace() {
    return trace;
  }

  /** Whether to emit async hook events as JFR events ({@code jfr=true}, or {@code jfrContext}). */
  boolean jfr() {
    return jfr == null ? !jfrContext.isEmpty() : jfr;
  }

  /** The names of the storages whose values go on the JFR {@code Run} events; empty for none. */
  List<String> jfrContext() {
    return jfrContext;
  }

  /** How much of the recent past the flight recording keeps, or {@code null} for none. */
  java.time.Duration flight() {
    return flight;
  }

  /** Where flight recordings are dumped, or {@code null} for the working directory. */
  String flightDir() {
    return flightDir;
  }

  /** The storage whose roots of work are watched for slowness, or {@code null}. */
  String flightSlowRoot() {
    return flightSlowRoot;
  }

  /** How long a root of work may take before it is dumped, or {@code null}. */
  java.time.Duration flightSlow() {
    return flightSlow;
  }

  /** Whether the flight recording's init events carry their call sites' stacks. */
  boolean flightStacks() {
    return flightStacks;
  }

  /** Whether an uncaught exception dumps the flight recording. */
  boolean flightUncaught() {
    return flightUncaught;
  }

  /** The threshold of the context leak detector as given ({@code leaks=30s}), or {@code null}. */
  String leaks() {
    return leaks;
  }

  /** The links files the {@code links} option names ({@code ;}-separated), or {@code null}. */
  String links() {
    return links;
  }
}
