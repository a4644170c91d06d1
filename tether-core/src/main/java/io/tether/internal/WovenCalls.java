package io.tether.internal;

import io.tether.ResourceTypes;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RunnableScheduledFuture;

/**
 * Not public API: the one class that code woven into JDK classes calls. The Tether agent weaves
 * calls to these static methods into the methods listed in its {@code Boundaries}, at method entry
 * and exit, or in place of one call inside a method; nothing else of Tether is called from woven
 * code. Each method only forwards to the room that holds the idea ({@link Nesting}, {@link
 * TaskLinks}, {@link TaskRuns}, {@link FutureLinks}, {@link IoLinks}).
 *
 * <p>Advice never disturbs the method it was woven into, yet none of these methods catches
 * anything: the weaver writes the safety net around each woven call (a {@code catch (Throwable)}
 * that drops the failure and goes on with the value the method would have had without the agent:
 * the argument a call replaces, or zero, {@code false} or {@code null}). The three calls that
 * replace a JDK call outright ({@link #runTask}, {@link #offerTask}, {@link #handOver}) are not
 * wrapped: they propagate the application's own exceptions, as the call they replace would.
 *
 * <p>Parameters are {@code Object} rather than the JDK types they carry, so the woven code needs no
 * cast; where an exit needs the method's return value, that value comes first, as it is on the
 * operand stack at the {@code return}.
 */
public final class WovenCalls {

  private WovenCalls() {}

  // Call sites, woven around the application's calls (the agent's trace recording)

  /** The application's call numbered {@code site} ({@link CallSiteIds}) begins. */
  public static void siteEnter(int site) {
    ExecutionState.current().site = site;
  }

  /** The application's call that {@link #siteEnter} began has returned. */
  public static void siteExit() {
    ExecutionState.current().site = 0;
  }

  // Linking nesting

  /** Enters a linking method; whether it should link. Leave with {@link #linkEnd()}. */
  public static boolean linkBegin() {
    return Nesting.linkBegin(ExecutionState.current());
  }

  /** Leaves a linking method. */
  public static void linkEnd() {
    Nesting.linkEnd(ExecutionState.current());
  }

  /** Gives back a linking nesting taken on entry. */
  public static void linkResume(int depth) {
    Nesting.resume(ExecutionState.current(), depth);
  }

  /** Enters code that creates a pool's own threads. */
  public static void suppressBegin() {
    Nesting.suppressBegin(ExecutionState.current());
  }

  /** Leaves what {@link #suppressBegin()} entered. */
  public static void suppressEnd() {
    Nesting.suppressEnd(ExecutionState.current());
  }

  // ThreadPoolExecutor, ScheduledThreadPoolExecutor, FutureTask, other executors

  /**
   * {@code ThreadPoolExecutor.execute} entered: it links its task where the task enters the pool
   * ({@link #offerTask}, {@link #addWorkerEnter}) rather than on the way in, because what enters
   * the pool is what a worker will run, even when another agent replaced the argument on the way in
   * (TransmittableThreadLocal's {@code TtlRunnable}, OpenTelemetry's wrapper), in whichever order
   * the agents are attached.
   *
   * @return the thread's state, which {@link #offerTask} and {@link #executeExit} take instead of
   *     looking it up again (one thread-local lookup an {@code execute} that queues its task)
   */
  public static Object executeEnter() {
    ExecutionState s = ExecutionState.current();
    Nesting.enterDeferred(s);
    return s;
  }

  /** {@code ThreadPoolExecutor.execute} left; {@code state} is what {@link #executeEnter} gave. */
  public static void executeExit(Object state) {
    if (state != null) { // null: the entry failed and changed nothing
      Nesting.leaveDeferred((ExecutionState) state);
    }
  }

  /**
   * {@code queue.offer(task)} in {@code ThreadPoolExecutor.execute}, replaced: links the task, on
   * the thread whose state {@link #executeEnter} gave ({@code null} if it failed: nothing is linked
   * then).
   */
  public static boolean offerTask(BlockingQueue<Object> queue, Object task, Object state) {
    boolean linked = state != null && TaskLinks.linkSubmitted(task, (ExecutionState) state);
    try {
      return queue.offer(task);
    } catch (RuntimeException | Error e) {
      if (linked) {
        TaskLinks.dropTask(task);
      }
      throw e;
    }
  }

  /** {@code ThreadPoolExecutor.addWorker} entered: its first task enters the pool. */
  public static boolean addWorkerEnter(Object firstTask) {
    ExecutionState s = ExecutionState.current();
    boolean linked = TaskLinks.linkSubmitted(firstTask, s);
    Nesting.suppressBegin(s);
    return linked;
  }

  /**
   * {@code ThreadPoolExecutor.addWorker} left; a task linked by a worker that failed is dropped.
   */
  public static void addWorkerExit(Throwable thrown, Object firstTask, boolean linked) {
    Nesting.suppressEnd(ExecutionState.current());
    if (linked && thrown != null) {
      TaskLinks.dropTask(firstTask);
    }
  }

  /**
   * {@code ThreadPoolExecutor.reject} entered: the task holds no context; the handler links anew.
   */
  public static int rejectEnter(Object task) {
    TaskLinks.dropTask(task);
    return Nesting.suspend(ExecutionState.current());
  }

  /** {@code ThreadPoolExecutor.remove} returned. */
  public static void removeExit(boolean removed, Object task) {
    if (removed) {
      TaskLinks.dropTask(task);
    }
  }

  /** {@code ThreadPoolExecutor.shutdownNow} returned the tasks it drained. */
  public static void shutdownNowExit(Object drained) {
    if (drained instanceof List) {
      TaskLinks.dropTasks((List<?>) drained);
    }
  }

  /** {@code ScheduledThreadPoolExecutor.delayedExecute} entered; leave with {@link #linkEnd()}. */
  public static void delayedExecuteEnter(Object task) {
    ExecutionState s = ExecutionState.current();
    if (Nesting.linkBegin(s) && task instanceof RunnableScheduledFuture) {
      TaskLinks.linkTask(
          task, ResourceTypes.SCHEDULED_TASK, ((RunnableScheduledFuture<?>) task).isPeriodic(), s);
    }
  }

  /** {@code FutureTask.cancel} or {@code TimerTask.cancel} returned. */
  public static void cancelExit(boolean cancelled, Object task) {
    if (cancelled) {
      TaskLinks.dropTask(task);
    }
  }

  /**
   * {@code execute(Runnable)} of an executor the JDK does not know entered: its task, replaced by
   * one that runs in this context. Leave with {@link #linkEnd()}.
   */
  public static Object executorEnter(Object task) {
    if (Nesting.linkBegin(ExecutionState.current()) && task instanceof Runnable) {
      return IoLinks.wrapTask((Runnable) task, ResourceTypes.EXECUTOR_TASK);
    }
    return task;
  }

  // ForkJoinPool, ForkJoinTask, and the run of any linked task

  /** A fork/join task is forked or pushed into a pool; leave with {@link #linkEnd()}. */
  public static void forkEnter(Object task) {
    ExecutionState s = ExecutionState.current();
    if (Nesting.linkBegin(s)) {
      TaskLinks.linkTask(task, ResourceTypes.FORK_JOIN_TASK, false, s);
    }
  }

  /** A task is about to run: enters its link's context, if it has one (see {@link TaskRuns}). */
  public static Object beginTask(Object task) {
    return TaskRuns.begin(task);
  }

  /** A one-shot run begun with {@link #beginTask} ended. */
  public static void endTask(Object begun) {
    if (begun instanceof Link) {
      TaskRuns.end((Link) begun, ExecutionState.current(), true);
    }
  }

  /** {@code task.run()} in a pool's run loop, replaced: runs it in its link's context. */
  public static void runTask(Runnable task) {
    TaskRuns.run(task);
  }

  // Threads

  /**
   * {@code Thread.start} entered: links the thread, unless it is one of the JDK's own system
   * threads (a {@code Timer}'s, an {@code HttpClient}'s selector, a cleaner), which serve every
   * context and pin none. Leave with {@link #threadStartExit}.
   */
  public static void threadStartEnter(Object thread) {
    ExecutionState s = ExecutionState.current();
    if (Nesting.linkBegin(s)
        && thread instanceof Thread
        && !isSystemThread(thread)
        && !TaskLinks.isLinked(thread)) {
      TaskLinks.linkTask(thread, threadType((Thread) thread), false, s);
    }
  }

  /** {@code Thread.start} left; a thread that could not start holds no context. */
  public static void threadStartExit(Throwable thrown, Object thread) {
    Nesting.linkEnd(ExecutionState.current());
    if (thrown != null) {
      TaskLinks.dropTask(thread);
    }
  }

  /** The type of a thread's resource. */
  static String threadType(Thread thread) {
    return thread.getClass().getName().equals("java.lang.VirtualThread")
        ? ResourceTypes.VIRTUAL_THREAD
        : ResourceTypes.THREAD;
  }

  private static boolean isSystemThread(Object thread) {
    Class<?> type = thread.getClass();
    if (type == Thread.class) {
      return false;
    }
    String name = type.getName();
    if (name.startsWith("java.lang.VirtualThread")
        || name.startsWith("java.lang.ThreadBuilders$")) {
      return false;
    }
    ClassLoader loader = type.getClassLoader();
    return (loader == null || loader == ClassLoader.getPlatformClassLoader())
        && (name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun."));
  }

  /** {@code run()} of a thread entered: only the outermost run on the thread itself begins. */
  public static Object threadRunEnter(Object thread) {
    return thread == Thread.currentThread() ? TaskRuns.begin(thread) : null;
  }

  /**
   * {@code run()} of a thread left. A thread whose run threw keeps the task's context for its
   * uncaught-exception handler.
   */
  public static void threadRunExit(Throwable thrown, Object begun) {
    if (!(begun instanceof Link)) {
      return;
    }
    Link link = (Link) begun;
    if (thrown != null) {
      AsyncStackTraces.attach(thrown, link);
      TaskRuns.endThrown(link, ExecutionState.current());
    } else {
      TaskRuns.end(link, ExecutionState.current(), true);
    }
  }

  // java.util.Timer

  /** {@code Timer.sched(task, time, period)} entered; leave with {@link #schedExit}. */
  public static boolean schedEnter(Object task, long period) {
    ExecutionState s = ExecutionState.current();
    return Nesting.linkBegin(s)
        && TaskLinks.linkTask(task, ResourceTypes.TIMER_TASK, period != 0, s);
  }

  /** {@code Timer.sched} left; a task the timer refused holds no context. */
  public static void schedExit(Throwable thrown, Object task, boolean linked) {
    Nesting.linkEnd(ExecutionState.current());
    if (linked && thrown != null) {
      TaskLinks.dropTask(task);
    }
  }

  // CompletableFuture (see FutureLinks)

  /** A stage method entered. Leave with {@link #stageEnd}. */
  public static Object stageBegin(Object source) {
    return FutureLinks.stageBegin(source);
  }

  /**
   * A stage method's functional argument, declared as {@code kind} (a {@link FutureLinks} kind), as
   * one that runs in the context of {@code link} (the argument itself when there is no link).
   */
  public static Object stageCallback(Object callback, Object link, int kind) {
    return FutureLinks.wrapCallback(callback, link, kind);
  }

  /** A stage method left. */
  public static void stageEnd(Object link) {
    FutureLinks.stageEnd(link);
  }

  /** {@code executor.execute(completion)} in {@code UniCompletion.claim}, replaced. */
  public static void handOver(Executor executor, Runnable completion) {
    FutureLinks.handOver(executor, completion);
  }

  /**
   * A {@code CompletableFuture} constructor returned; one created completed ({@code
   * completedFuture}) resolves at once, as Node's {@code Promise.resolve(value)}.
   */
  public static void futureCreated(Object future) {
    FutureLinks.futureCreated(future);
    if (future instanceof CompletableFuture && ((CompletableFuture<?>) future).isDone()) {
      FutureLinks.futureCompleted(future);
    }
  }

  /**
   * {@code CompletableFuture}'s {@code result} field was written directly (a stage registered on a
   * completed source, {@code obtrudeValue}/{@code obtrudeException}): the future completed.
   */
  public static void futureResultWritten(Object future) {
    FutureLinks.futureCompleted(future);
  }

  /** An internal completion method of {@code CompletableFuture} returned. */
  public static void futureCompleted(boolean completed, Object future) {
    if (completed) {
      FutureLinks.futureCompleted(future);
    }
  }

  /**
   * A task records the exception it ends with ({@code FutureTask.setException}, a fork/join
   * task's): with async stack traces on, the exception gets the task's async stack.
   */
  public static void asyncStackTrace(Object thrown) {
    if (thrown instanceof Throwable) {
      AsyncStackTraces.attachCurrent((Throwable) thrown);
    }
  }

  // HttpClient, NIO.2 (see IoLinks)

  /** {@code HttpClient.sendAsync} left: the exchange is linked to the response future. */
  public static void sendAsyncExit(Object response, boolean outermost) {
    Nesting.linkEnd(ExecutionState.current());
    if (outermost) {
      IoLinks.httpExchange(response);
    }
  }

  // Third-party libraries (see Callbacks)

  /**
   * A callback or task argument of a library method its declaration {@code id} names, declared as
   * {@code type}: as one that runs in this context (see {@link Callbacks}).
   */
  public static Object callback(Object callback, int id, Class<?> type) {
    return Callbacks.wrap(callback, id, type);
  }

  /**
   * kotlinx's {@code newCoroutineContext(parentOrScope, added)} entered: {@code added} with
   * Tether's coroutine context element (see {@link Coroutines}).
   */
  public static Object coroutineContext(Object parentOrScope, Object added) {
    return Coroutines.context(parentOrScope, added);
  }

  /** A call of a callback wrapper begins (the agent's generated wrappers call these three). */
  public static Object callbackEnter(Object link) {
    return Callbacks.enter(link);
  }

  /** A call of a callback wrapper ended; {@code state} is what {@link #callbackEnter} returned. */
  public static void callbackExit(Object link, Object state) {
    Callbacks.exit(link, state);
  }

  /** A call of a callback wrapper is about to throw {@code thrown}. */
  public static void callbackThrown(Object link, Throwable thrown) {
    Callbacks.thrown(link, thrown);
  }

  /**
   * The {@code CompletionHandler} argument of an asynchronous channel operation, as one that runs
   * in this context as the continuation of a new {@code NIO_COMPLETION} resource.
   */
  public static Object completionHandler(Object handler) {
    return IoLinks.wrapCompletionHandler(handler);
  }
}
