package io.tether.internal;

import java.util.function.Predicate;

/**
 * Not public API. Which frame of a linking stack is the application's call site: the one predicate
 * that async stack traces, the trace recorder and {@code tether-junit5} share.
 */
public final class CallSites {

  private CallSites() {}

  /**
   * Whether frames of {@code className} belong to the JDK or to Tether itself (its API, its
   * internals and the agent's relocated libraries), not to the application: the call site of a
   * piece of work is the first frame, from the top, whose class is not internal.
   */
  public static boolean isInternal(String className) {
    return className.startsWith("java.")
        || className.startsWith("javax.")
        || className.startsWith("jdk.")
        || className.startsWith("sun.")
        || className.startsWith("com.sun.")
        || className.startsWith("io.tether.internal.")
        || className.startsWith("io.tether.agent.shaded.")
        || className.startsWith("io.tether.") && className.indexOf('.', 10) < 0;
  }

  /**
   * Whether frames of {@code className} are internal ({@link #isInternal(String)}) or of {@code
   * self} or one of its nested classes: the tool that asks.
   */
  public static boolean isInternal(String className, Class<?> self) {
    String name = self.getName();
    return isInternal(className)
        || className.startsWith(name)
            && (className.length() == name.length() || className.charAt(name.length()) == '$');
  }

  /**
   * The first frame of this thread's stack, from the top, whose class {@code internal} rejects: the
   * application's call site; {@code null} when every frame is internal.
   */
  public static StackWalker.StackFrame first(StackWalker walker, Predicate<String> internal) {
    return walker.walk(
        frames -> frames.filter(f -> !internal.test(f.getClassName())).findFirst().orElse(null));
  }

  /** {@code frame} as a line of a stack trace ({@code Class.method(File.java:12)}), or "". */
  public static String describe(StackWalker.StackFrame frame) {
    return frame == null
        ? ""
        : frame.getClassName()
            + "."
            + frame.getMethodName()
            + "("
            + frame.getFileName()
            + ":"
            + frame.getLineNumber()
            + ")";
  }
}
