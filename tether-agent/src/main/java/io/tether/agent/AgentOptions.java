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
 * them; {@code leaks=DURATION} turns the context leak detector on (the duration is read once
 * tether-core is on the bootstrap class path, by {@code Leaks.parseThreshold}, the parser of the
 * system property too). An unknown key or a bad value is an error that names the option and what it
 * accepts.
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
    return keys.append("debug, asyncStackTraces, trace, links, jfr, jfrContext, leaks").toString();
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
      if (family == null
          && !key.equals("debug")
          && !key.equals("asyncStackTraces")
          && !key.equals("jfr")) {
        throw new IllegalArgumentException(
            "unknown option '"
                + key
                + "'; accepted options: "
                + acceptedKeys()
                + " (trace=FILE, links=FILE;FILE, jfrContext=NAME;NAME, leaks=DURATION, the others"
                + " =true or =false)");
      }
      boolean on;
      if (value.equals("true")) {
        on = true;
      } else if (value.equals("false")) {
        on = false;
      } else {
        throw new IllegalArgumentException(
            "option '" + key + "' takes true or false, was '" + value + "'");
      }
      if (key.equals("asyncStackTraces")) {
        options.asyncStackTraces = on;
      } else if (key.equals("jfr")) {
        options.jfr = on;
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
    return options;
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
                + value
                + "'");
      }
      names.add(n);
    }
    return List.copyOf(names);
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

  /** The threshold of the context leak detector as given ({@code leaks=30s}), or {@code null}. */
  String leaks() {
    return leaks;
  }

  /** The links files the {@code links} option names ({@code ;}-separated), or {@code null}. */
  String links() {
    return links;
  }
}
