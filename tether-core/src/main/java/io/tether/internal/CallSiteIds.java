package io.tether.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Not public API. Call sites resolved once per site: the agent, when it marks the application's
 * calls that may link async work (for the trace recorder), gives each call instruction a number
 * here, with its class, method and line, and weaves {@link WovenCalls#siteEnter(int)} before the
 * call and {@link WovenCalls#siteExit()} after it. A resource linked meanwhile on that thread has
 * that call site, read from {@link ExecutionState#site} without walking the stack.
 *
 * <p>Numbers start at 1 ({@code 0} is no site) and are never reused; registering the same site
 * again (a class loaded twice) returns its number. {@link #describe} takes no lock and returns the
 * same string object for a number every time (JFR's string pool keeps it once).
 */
public final class CallSiteIds {

  private CallSiteIds() {}

  /** By number; republished (a volatile write) after every registration, read without a lock. */
  private static volatile String[] sites = new String[256];

  private static final Map<String, Integer> numbers = new HashMap<>();

  /**
   * The number of the call in {@code className} (binary name), {@code method}, at {@code line} of
   * {@code file} ({@code null} or a line below 1 when the class file does not say), the {@code
   * index}-th marked call of that line.
   */
  public static synchronized int register(
      String className, String method, String file, int line, int index) {
    String site =
        className
            + "."
            + method
            + "("
            + (file == null ? "Unknown Source" : file + (line > 0 ? ":" + line : ""))
            + ")";
    String key = site + "#" + index;
    Integer known = numbers.get(key);
    if (known != null) {
      return known;
    }
    int number = numbers.size() + 1;
    String[] all = sites;
    if (number == all.length) {
      all = Arrays.copyOf(all, all.length * 2);
    }
    all[number] = site;
    numbers.put(key, number);
    sites = all;
    return number;
  }

  /**
   * The call site numbered {@code number}, as a line of a stack trace ({@code
   * Class.method(File.java:12)}), or {@code ""} for {@code 0} or a number never given.
   */
  public static String describe(int number) {
    String[] all = sites;
    String site = number > 0 && number < all.length ? all[number] : null;
    return site != null ? site : "";
  }

  /** How many call sites have numbers. */
  public static synchronized int count() {
    return numbers.size();
  }
}
