package io.tether.agent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Advice for {@link AdviceNetUnitTest}, in place of {@code WovenCalls}: each method records that it
 * was called, and all but the {@code record*} ones and {@link #runTask} fail. Public, as the woven
 * class is defined by another class loader.
 */
public final class FailingAdvice {

  /** The calls made, in order. */
  public static final List<String> CALLS = Collections.synchronizedList(new ArrayList<>());

  private FailingAdvice() {}

  /** What the advice throws: never to be seen by the method it was woven into. */
  public static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String call) {
      super("advice failed: " + call);
    }
  }

  private static Failure fail(String call) {
    CALLS.add(call);
    throw new Failure(call);
  }

  public static int failInt() {
    throw fail("failInt");
  }

  public static boolean failBoolean() {
    throw fail("failBoolean");
  }

  public static long failLong() {
    throw fail("failLong");
  }

  public static Object failObject(Object self) {
    throw fail("failObject");
  }

  public static void failEnter(Object self) {
    throw fail("failEnter");
  }

  /** As {@code WovenCalls.executorEnter}: the task to run instead of the argument. */
  public static Object executorEnter(Object task) {
    throw fail("executorEnter");
  }

  /** As {@code WovenCalls.stageCallback}: the callback to use instead of the argument. */
  public static Object failCallback(Object callback, Object link, int kind) {
    throw fail("failCallback " + link + " " + kind);
  }

  public static void linkEnd() {
    throw fail("linkEnd");
  }

  public static void failReturnInt(int value, Object self) {
    throw fail("failReturnInt " + value);
  }

  public static void failReturnLong(long value, Object self) {
    throw fail("failReturnLong " + value);
  }

  public static void failReturnDouble(double value, Object self) {
    throw fail("failReturnDouble " + value);
  }

  public static void failReturnObject(Object value, Object self) {
    throw fail("failReturnObject " + value);
  }

  public static void failExit(Throwable thrown, Object self) {
    throw fail("failExit " + (thrown == null ? null : thrown.getMessage()));
  }

  public static void failWritten(Object object) {
    throw fail("failWritten");
  }

  public static void recordInt(int value) {
    CALLS.add("recordInt " + value);
  }

  public static void recordBoolean(boolean value) {
    CALLS.add("recordBoolean " + value);
  }

  public static void recordLong(long value) {
    CALLS.add("recordLong " + value);
  }

  public static void recordObject(Object value) {
    CALLS.add("recordObject " + value);
  }

  /** As {@code WovenCalls.runTask}: runs the task, whose exception goes on to the caller. */
  public static void runTask(Runnable task) {
    CALLS.add("runTask");
    task.run();
  }

  /** A substitute that fails itself: as the call it replaces would, it throws to the caller. */
  public static void failRunTask(Runnable task) {
    throw fail("failRunTask");
  }

  /** An entry that succeeds: its result is what {@link #runTaskWith} is given. */
  public static Object enterState() {
    CALLS.add("enterState");
    return "state";
  }

  /** As {@code WovenCalls.offerTask}: the replaced call's arguments, then the entry's result. */
  public static void runTaskWith(Runnable task, Object entered) {
    CALLS.add("runTaskWith " + entered);
    task.run();
  }
}
