package io.tether.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * Not public API. The opt-in diagnostic {@code -Dtether.diagnostics=true}: work handed to an
 * executor without its context (no agent linked it, nobody wrapped it) is reported where it reads a
 * storage and finds nothing, once per call site, on {@code System.err}.
 *
 * <p>Without the agent, Tether never sees a plain {@code Executor.execute}, so the hand-off itself
 * cannot be caught; what can be seen is its consequence. A storage read is reported when all of
 * these hold: the storage has been set somewhere in this JVM ({@code run} or {@code enterWith}), it
 * has no entry here, this thread carries no context at all (the empty frame) and runs no
 * continuation of Tether's (so the task is neither wrapped nor bound nor linked by the agent), and
 * the thread is an executor's worker: a {@code ForkJoinWorkerThread}, or a thread whose stack holds
 * {@code ThreadPoolExecutor.runWorker} or a thread-per-task executor's runner. That is a heuristic:
 * a task submitted where no storage had a value reads nothing either, and is reported too.
 *
 * <p>Invariants: {@link #ENABLED} is read once, when this class initialises; when it is false, the
 * callers' branches on it are all this costs (the JIT removes them) and nothing else of this class
 * is loaded. The reported call sites are lines of the program, so their set is bounded by its size.
 */
public final class Diagnostics {

  /** Whether {@code -Dtether.diagnostics=true} was given when Tether was first used. */
  public static final boolean ENABLED = Boolean.getBoolean("tether.diagnostics");

  static final byte POOL = 1;
  static final byte NOT_POOL = 2;

  private Diagnostics() {}

  /**
   * {@code storage}, set somewhere before, had no entry where it was read on this thread: reports
   * it if this is work an executor runs without its context, and this call site was not reported
   * yet.
   */
  public static void noEntry(Object storage) {
    ExecutionState s = ExecutionState.current();
    if (s.frame != Frame.EMPTY || s.depth() != 0 || s.poolThread == NOT_POOL) {
      return;
    }
    if (s.poolThread == 0) {
      s.poolThread =
          Thread.currentThread() instanceof ForkJoinWorkerThread
                  || Reported.WALKER.walk(frames -> frames.anyMatch(Diagnostics::runsPoolTasks))
              ? POOL
              : NOT_POOL;
      if (s.poolThread == NOT_POOL) {
        return;
      }
    }
    String site = CallSites.describe(CallSites.first(Reported.WALKER, Diagnostics::notTheCaller));
    if (Reported.SITES.add(site)) {
      System.err.println(
          "tether: "
              + storage
              + ".getStore() at "
              + site
              + " found no context on executor thread \""
              + Thread.currentThread().getName()
              + "\", outside any task Tether runs: work handed to an executor carries its context"
              + " only if the executor is wrapped (AsyncExecutors.wrap), the task bound"
              + " (AsyncLocalStorage.bind) or the Tether agent attached (-javaagent:tether-agent.jar)"
              + " [tether.diagnostics, once per call site]");
    }
  }

  /** The frame at the bottom of a worker: the loop that runs an executor's tasks. */
  private static boolean runsPoolTasks(StackWalker.StackFrame frame) {
    String type = frame.getClassName();
    return type.equals("java.util.concurrent.ThreadPoolExecutor")
            && frame.getMethodName().equals("runWorker")
        || type.equals("java.util.concurrent.ThreadPerTaskExecutor$TaskRunner");
  }

  /**
   * Frames that are not the reading code: Tether's, the JDK's and the logging libraries' with
   * Tether's MDC and ThreadContext (an MDC read by a log call is reported at the log call).
   */
  private static boolean notTheCaller(String className) {
    return CallSites.isInternal(className)
        || className.startsWith("io.tether.slf4j.")
        || className.startsWith("io.tether.log4j2.")
        || className.startsWith("org.slf4j.")
        || className.startsWith("ch.qos.logback.")
        || className.startsWith("org.apache.logging.log4j.");
  }

  /** What only a report needs, initialised with the first one. */
  private static final class Reported {
    static final StackWalker WALKER = StackWalker.getInstance();
    static final Set<String> SITES = ConcurrentHashMap.newKeySet();
  }
}
