package io.tether.agent;

import java.util.HashMap;
import java.util.Map;
import org.objectweb.asm.Type;

/**
 * What the agent weaves into one method: a call to an {@code io.tether.internal.WovenCalls} method
 * on entry, one on exit (on every {@code return}, and with {@code onThrowable} also when the method
 * throws, after which the throwable goes on unchanged), arguments replaced on entry, a call after
 * each write of a field, and calls the method makes replaced by static calls. The calls' arguments
 * are tokens: {@link #THIS}, a parameter's index, the entry call's result ({@link #ENTER}), the
 * return value ({@link #RETURN}, which must come first), the throwable ({@link #THROWN}; {@code
 * null} on a normal exit).
 *
 * <p>Every woven call but the substitutions gets a net from {@link AdviceWeaver}: what it throws is
 * dropped, and the method goes on with what it would have had without the agent. A substitution
 * replaces a call of the method's own, so it throws what that call would.
 *
 * <p>Immutable once built; the methods that build it return a changed copy.
 */
final class MethodAdvice {

  /** {@code this}, or {@code null} in a static method. */
  static final int THIS = -1;

  /** The value the entry call returned. */
  static final int ENTER = -2;

  /** The value being returned (zero or {@code null} when the method throws). */
  static final int RETURN = -3;

  /** The throwable leaving the method, {@code null} on a normal return. */
  static final int THROWN = -4;

  /** The one class woven code calls (in tether-core, on the bootstrap class path). */
  static final String ADVICE = "io/tether/internal/WovenCalls";

  /** The class whose static methods the woven code calls: {@link #ADVICE} but in tests. */
  String owner = ADVICE;

  /** A parameter replaced on entry by the result of a static call on it. */
  static final class Replacement {
    final String name;
    final String descriptor;

    /** An int pushed after the argument (and the entry result), or -1 for none. */
    final int kind;

    /** Whether the entry call's result is passed after the argument. */
    final boolean withEnter;

    /** Whether the parameter's declared type (a class constant) is passed last. */
    final boolean withType;

    Replacement(String name, String descriptor, int kind, boolean withEnter) {
      this(name, descriptor, kind, withEnter, false);
    }

    Replacement(String name, String descriptor, int kind, boolean withEnter, boolean withType) {
      this.name = name;
      this.descriptor = descriptor;
      this.kind = kind;
      this.withEnter = withEnter;
      this.withType = withType;
    }
  }

  String enterName;
  String enterDescriptor;
  int[] enterArgs = new int[0];

  /** The parameter the entry call's result replaces, or -1. */
  int enterReplaces = -1;

  String exitName;
  String exitDescriptor;
  int[] exitArgs = new int[0];
  boolean onThrowable;

  /** By the parameter's type descriptor. */
  Map<String, Replacement> replacements = new HashMap<>();

  /** By the parameter's index (a reference parameter; others are left alone). */
  Map<Integer, Replacement> argReplacements = new HashMap<>();

  /**
   * By {@code owner.name descriptor} of the call replaced: {owner, name, descriptor} static, and a
   * fourth element {@link #WITH_ENTER} when the entry call's result is passed after the call's own
   * arguments.
   */
  Map<String, String[]> substitutions = new HashMap<>();

  /** The marker of a substitution that also takes the entry call's result. */
  static final String WITH_ENTER = "enter";

  /**
   * By {@code owner.name} of a reference field: after each {@code putfield} of it (outside
   * constructors), {@code WovenCalls.<value>(object)} is called with the object written to.
   */
  Map<String, String> fieldWrites = new HashMap<>();

  private MethodAdvice copy() {
    MethodAdvice a = new MethodAdvice();
    a.owner = owner;
    a.enterName = enterName;
    a.enterDescriptor = enterDescriptor;
    a.enterArgs = enterArgs;
    a.enterReplaces = enterReplaces;
    a.exitName = exitName;
    a.exitDescriptor = exitDescriptor;
    a.exitArgs = exitArgs;
    a.onThrowable = onThrowable;
    a.replacements = new HashMap<>(replacements);
    a.argReplacements = new HashMap<>(argReplacements);
    a.substitutions = new HashMap<>(substitutions);
    a.fieldWrites = new HashMap<>(fieldWrites);
    return a;
  }

  /**
   * This advice calling static methods of {@code owner} (an internal name) instead of {@link
   * #ADVICE}, substitutions included: for tests, whose advice classes fail on purpose.
   */
  MethodAdvice calling(String owner) {
    MethodAdvice a = copy();
    a.owner = owner;
    for (Map.Entry<String, String[]> e : a.substitutions.entrySet()) {
      String[] to = e.getValue().clone();
      to[0] = owner;
      e.setValue(to);
    }
    return a;
  }

  /**
   * This advice with {@code other}'s substitutions, replacements and field writes added, and its
   * entry and exit if this one has none; its calls go to this advice's {@link #owner}.
   */
  MethodAdvice merge(MethodAdvice other) {
    MethodAdvice a = copy();
    if (enterName == null && exitName == null) {
      a.enterName = other.enterName;
      a.enterDescriptor = other.enterDescriptor;
      a.enterArgs = other.enterArgs;
      a.enterReplaces = other.enterReplaces;
      a.exitName = other.exitName;
      a.exitDescriptor = other.exitDescriptor;
      a.exitArgs = other.exitArgs;
      a.onThrowable = other.onThrowable;
    }
    a.replacements.putAll(other.replacements);
    a.argReplacements.putAll(other.argReplacements);
    a.substitutions.putAll(other.substitutions);
    a.fieldWrites.putAll(other.fieldWrites);
    return a;
  }

  /** After each write of reference field {@code owner.name}, {@code WovenCalls.call(object)}. */
  MethodAdvice afterFieldWrite(String owner, String name, String call) {
    MethodAdvice a = copy();
    a.fieldWrites.put(owner + "." + name, call);
    return a;
  }

  static MethodAdvice none() {
    return new MethodAdvice();
  }

  /** On entry, {@code WovenCalls.name(args)}. */
  static MethodAdvice enter(String name, String descriptor, int... args) {
    MethodAdvice a = new MethodAdvice();
    a.enterName = name;
    a.enterDescriptor = descriptor;
    a.enterArgs = args;
    return a;
  }

  /** On entry, parameter {@code index} becomes {@code WovenCalls.name(args)}. */
  static MethodAdvice enterReplacing(int index, String name, String descriptor, int... args) {
    MethodAdvice a = enter(name, descriptor, args);
    a.enterReplaces = index;
    return a;
  }

  /** On every exit, the throwing one included. */
  MethodAdvice exit(String name, String descriptor, int... args) {
    return exit(true, name, descriptor, args);
  }

  /** On every {@code return} only. */
  MethodAdvice exitOnReturn(String name, String descriptor, int... args) {
    return exit(false, name, descriptor, args);
  }

  private MethodAdvice exit(boolean throwable, String name, String descriptor, int... args) {
    for (int i = 1; i < args.length; i++) {
      if (args[i] == RETURN) {
        throw new IllegalArgumentException("RETURN must be the first argument of " + name);
      }
    }
    MethodAdvice a = copy();
    a.exitName = name;
    a.exitDescriptor = descriptor;
    a.exitArgs = args;
    a.onThrowable = throwable;
    return a;
  }

  /** Each parameter declared as {@code parameterType} is replaced on entry. */
  MethodAdvice replace(String parameterType, Replacement replacement) {
    MethodAdvice a = copy();
    a.replacements.put(parameterType, replacement);
    return a;
  }

  /** Parameter {@code index} (if a reference) is replaced on entry. */
  MethodAdvice replaceArg(int index, Replacement replacement) {
    MethodAdvice a = copy();
    a.argReplacements.put(index, replacement);
    return a;
  }

  /** Each call of {@code owner.name descriptor} becomes a call of static {@code WovenCalls.to}. */
  MethodAdvice substitute(
      String owner, String name, String descriptor, String to, String toDescriptor) {
    MethodAdvice a = copy();
    a.substitutions.put(
        owner + "." + name + descriptor, new String[] {this.owner, to, toDescriptor});
    return a;
  }

  /**
   * Each call of {@code owner.name descriptor} becomes a call of static {@code WovenCalls.to} with
   * the call's arguments and then the entry call's result (its default value if the entry call
   * failed): how a call inside the method reuses what the entry looked up.
   */
  MethodAdvice substituteWithEnter(
      String owner, String name, String descriptor, String to, String toDescriptor) {
    if (enterName == null || Type.getReturnType(enterDescriptor).getSort() == Type.VOID) {
      throw new IllegalStateException("no entry result to pass to " + to);
    }
    MethodAdvice a = copy();
    a.substitutions.put(
        owner + "." + name + descriptor, new String[] {this.owner, to, toDescriptor, WITH_ENTER});
    return a;
  }

  /** This advice without its calls after field writes (for a method that writes none). */
  MethodAdvice withoutFieldWrites() {
    MethodAdvice a = copy();
    a.fieldWrites = new HashMap<>();
    return a;
  }

  /** Whether this advice changes nothing. */
  boolean isEmpty() {
    return !weavesEntryOrExit() && substitutions.isEmpty() && fieldWrites.isEmpty();
  }

  /** Whether the method gets entry or exit code, which needs locals of its own. */
  boolean weavesEntryOrExit() {
    return enterName != null
        || exitName != null
        || !replacements.isEmpty()
        || !argReplacements.isEmpty();
  }
}
