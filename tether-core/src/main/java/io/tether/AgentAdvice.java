package io.tether;

import java.util.List;
import java.util.concurrent.RunnableScheduledFuture;

/**
 * Not public API: the calls that the Tether agent weaves into JDK classes at method entry and exit,
 * one per piece of advice. Each is a static method that never throws: whatever goes wrong inside
 * Tether is swallowed here, and the JDK method it was woven into goes on as it would have without
 * the agent. (The calls that replace a JDK call outright, {@link AgentSupport#runTask} and
 * {@link AgentSupport#offerTask}, propagate the application's own exceptions and are not here.)
 *
 * <p>Parameters are {@code Object} rather than the JDK types they carry, so the woven code needs no
 * cast; where an exit needs the method's return value, that value comes first, as it is on the
 * operand stack at the {@code return}.
 */
public final class AgentAdvice {

  /** {@link #stageCallback} kinds, by the declared type of the stage method's parameter. */
  public static final int FUNCTION = 0;
  /** A {@code BiFunction} parameter. */
  public static final int BI_FUNCTION = 1;
  /** A {@code Consumer} parameter. */
  public static final int CONSUMER = 2;
  /** A {@code BiConsumer} parameter. */
  public static final int BI_CONSUMER = 3;
  /** A {@code Supplier} parameter. */
  public static final int SUPPLIER = 4;
  /** A {@code Runnable} parameter. */
  public static final int RUNNABLE = 5;

  private AgentAdvice() {}

  // ---------------------------------------------------------------------------------------------
  // Linking nesting

  /** Enters a linking method; see {@link AgentSupport#linkBegin()}. */
  public static boolean linkBegin() {
    try {
      return AgentSupport.linkBegin();
    } catch (Throwable t) {
      return false;
    }
  }

  /** Leaves a linking method. */
  public static void linkEnd() {
    try {
      AgentSupport.linkEnd();
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  /** Gives back a linking nesting taken on entry. */
  public static void linkResume(int depth) {
    try {
      AgentSupport.linkResume(depth);
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  /** Enters code that creates a pool's own threads. */
  public static void suppressBegin() {
    try {
      AgentSupport.suppressBegin();
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  /** Leaves what {@link #suppressBegin()} entered. */
  public static void suppressEnd() {
    try {
      AgentSupport.suppressEnd();
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ThreadPoolExecutor, ScheduledThreadPoolExecutor, FutureTask, other executors

  /** {@code ThreadPoolExecutor.execute} entered: see {@link AgentSupport#submitBegin()}. */
  public static int executeEnter() {
    try {
      return AgentSupport.submitBegin();
    } catch (Throwable t) {
      return 0;
    }
  }

  /** {@code ThreadPoolExecutor.addWorker} entered: its first task enters the pool. */
  public static boolean addWorkerEnter(Object firstTask) {
    boolean linked = false;
    try {
      linked = AgentSupport.linkSubmitted(firstTask);
    } catch (Throwable t) {
      // never disturb the JDK method
    }
    suppressBegin();
    return linked;
  }

  /** {@code ThreadPoolExecutor.addWorker} left; a task linked by a worker that failed is dropped. */
  public static void addWorkerExit(Throwable thrown, Object firstTask, boolean linked) {
    suppressEnd();
    if (linked && thrown != null) {
      dropTask(firstTask);
    }
  }

  /** {@code ThreadPoolExecutor.reject} entered: the task holds no context; the handler links anew. */
  public static int rejectEnter(Object task) {
    dropTask(task);
    try {
      return AgentSupport.linkSuspend();
    } catch (Throwable t) {
      return 0;
    }
  }

  /** {@code ThreadPoolExecutor.remove} returned. */
  public static void removeExit(boolean removed, Object task) {
    if (removed) {
      dropTask(task);
    }
  }

  /** {@code ThreadPoolExecutor.shutdownNow} returned the tasks it drained. */
  public static void shutdownNowExit(Object drained) {
    try {
      if (drained instanceof List) {
        AgentSupport.dropTasks((List<?>) drained);
      }
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  /** {@code ScheduledThreadPoolExecutor.delayedExecute} entered; leave with {@link #linkEnd()}. */
  public static void delayedExecuteEnter(Object task) {
    try {
      if (AgentSupport.linkBegin() && task instanceof RunnableScheduledFuture) {
        AgentSupport.linkTask(task, AgentSupport.SCHEDULED_TASK,
            ((RunnableScheduledFuture<?>) task).isPeriodic());
      }
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  /** {@code FutureTask.cancel} or {@code TimerTask.cancel} returned. */
  public static void cancelExit(boolean cancelled, Object task) {
    if (cancelled) {
      dropTask(task);
    }
  }

  /**
   * {@code execute(Runnable)} of an executor the JDK does not know entered: its task, replaced by
   * one that runs in this context. Leave with {@link #linkEnd()}.
   */
  public static Object executorEnter(Object task) {
    try {
      if (AgentSupport.linkBegin() && task instanceof Runnable) {
        return AgentSupport.wrapRunnable((Runnable) task, AgentSupport.EXECUTOR_TASK);
      }
    } catch (Throwable t) {
      // never disturb the JDK method
    }
    return task;
  }

  private static void dropTask(Object task) {
    try {
      AgentSupport.dropTask(task);
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ForkJoinPool, ForkJoinTask

  /** A fork/join task is forked or pushed into a pool; leave with {@link #linkEnd()}. */
  public static void forkEnter(Object task) {
    try {
      if (AgentSupport.linkBegin()) {
        AgentSupport.linkTask(task, AgentSupport.FORK_JOIN_TASK, false);
      }
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  /** A task is about to run: see {@link AgentSupport#beginTask}. */
  public static Object beginTask(Object task) {
    try {
      return AgentSupport.beginTask(task);
    } catch (Throwable t) {
      return null;
    }
  }

  /** A one-shot run begun with {@link #beginTask} ended. */
  public static void endTask(Object begun) {
    try {
      AgentSupport.endTask(begun, true);
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Threads

  /**
   * {@code Thread.start} entered: links the thread, unless it is one of the JDK's own system
   * threads (a {@code Timer}'s, an {@code HttpClient}'s selector, a cleaner), which serve every
   * context and pin none. Leave with {@link #threadStartExit}.
   */
  public static void threadStartEnter(Object thread) {
    try {
      if (AgentSupport.linkBegin() && thread instanceof Thread && !isSystemThread(thread)
          && !AgentSupport.isLinked(thread)) {
        AgentSupport.linkTask(thread, AgentSupport.threadType((Thread) thread), false);
      }
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  /** {@code Thread.start} left; a thread that could not start holds no context. */
  public static void threadStartExit(Throwable thrown, Object thread) {
    linkEnd();
    if (thrown != null) {
      dropTask(thread);
    }
  }

  private static boolean isSystemThread(Object thread) {
    Class<?> type = thread.getClass();
    if (type == Thread.class) {
      return false;
    }
    String name = type.getName();
    if (name.startsWith("java.lang.VirtualThread") || name.startsWith("java.lang.ThreadBuilders$")) {
      return false;
    }
    ClassLoader loader = type.getClassLoader();
    return (loader == null || loader == ClassLoader.getPlatformClassLoader())
        && (name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun."));
  }

  /** {@code run()} of a thread entered: only the outermost run on the thread itself begins. */
  public static Object threadRunEnter(Object thread) {
    try {
      return thread == Thread.currentThread() ? AgentSupport.beginTask(thread) : null;
    } catch (Throwable t) {
      return null;
    }
  }

  /**
   * {@code run()} of a thread left. A thread whose run threw keeps the task's context for its
   * uncaught-exception handler.
   */
  public static void threadRunExit(Throwable thrown, Object begun) {
    try {
      if (thrown != null) {
        AsyncStackTraces.attach(thrown, begun);
        AgentSupport.endTaskThrown(begun);
      } else {
        AgentSupport.endTask(begun, true);
      }
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  // ---------------------------------------------------------------------------------------------
  // java.util.Timer

  /** {@code Timer.sched(task, time, period)} entered; leave with {@link #schedExit}. */
  public static boolean schedEnter(Object task, long period) {
    try {
      return AgentSupport.linkBegin()
          && AgentSupport.linkTask(task, AgentSupport.TIMER_TASK, period != 0);
    } catch (Throwable t) {
      return false;
    }
  }

  /** {@code Timer.sched} left; a task the timer refused holds no context. */
  public static void schedExit(Throwable thrown, Object task, boolean linked) {
    linkEnd();
    if (linked && thrown != null) {
      dropTask(task);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // CompletableFuture

  /** A stage method entered: see {@link AgentSupport#stageBegin}. Leave with {@link #stageEnd}. */
  public static Object stageBegin(Object source) {
    try {
      return AgentSupport.stageBegin(source);
    } catch (Throwable t) {
      return null;
    }
  }

  /**
   * A stage method's functional argument, declared as {@code kind}, as one that runs in the
   * context of {@code link} (the argument itself when there is no link).
   */
  public static Object stageCallback(Object callback, Object link, int kind) {
    try {
      return AgentSupport.wrapCallback(callback, link, kind);
    } catch (Throwable t) {
      return callback;
    }
  }

  /** A stage method left. */
  public static void stageEnd(Object link) {
    try {
      AgentSupport.stageEnd(link);
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  /**
   * A {@code CompletableFuture} constructor returned; one created completed
   * ({@code completedFuture}) resolves at once, as Node's {@code Promise.resolve(value)}.
   */
  public static void futureCreated(Object future) {
    try {
      AgentSupport.futureCreated(future);
      if (future instanceof java.util.concurrent.CompletableFuture
          && ((java.util.concurrent.CompletableFuture<?>) future).isDone()) {
        AgentSupport.futureCompleted(future);
      }
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  /**
   * {@code CompletableFuture}'s {@code result} field was written directly (a stage registered on
   * a completed source, {@code obtrudeValue}/{@code obtrudeException}): the future completed.
   */
  public static void futureResultWritten(Object future) {
    try {
      AgentSupport.futureCompleted(future);
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  /** An internal completion method of {@code CompletableFuture} returned. */
  public static void futureCompleted(boolean completed, Object future) {
    try {
      if (completed) {
        AgentSupport.futureCompleted(future);
      }
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  /**
   * A task records the exception it ends with ({@code FutureTask.setException}, a fork/join
   * task's): with async stack traces on, the exception gets the task's async stack.
   */
  public static void asyncStackTrace(Object thrown) {
    try {
      if (thrown instanceof Throwable) {
        AsyncStackTraces.attachCurrent((Throwable) thrown);
      }
    } catch (Throwable t) {
      // never disturb the JDK method
    }
  }

  // ---------------------------------------------------------------------------------------------
  // HttpClient, NIO.2

  /** {@code HttpClient.sendAsync} left: the exchange is linked to the response future. */
  public static void sendAsyncExit(Object response, boolean outermost) {
    linkEnd();
    if (outermost) {
      try {
        AgentSupport.httpExchange(response);
      } catch (Throwable t) {
        // never disturb the JDK method
      }
    }
  }

  /**
   * The {@code CompletionHandler} argument of an asynchronous channel operation, as one that runs
   * in this context as the continuation of a new {@code NIO_COMPLETION} resource.
   */
  public static Object completionHandler(Object handler) {
    try {
      return AgentSupport.wrapCompletionHandler(handler);
    } catch (Throwable t) {
      return handler;
    }
  }
}
