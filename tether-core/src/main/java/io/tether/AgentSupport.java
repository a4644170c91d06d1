package io.tether;

import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Not public API: the entry points that the Tether agent weaves into JDK classes. Everything here
 * may change in any release; applications use {@link AsyncLocalStorage}, {@link AsyncResource},
 * {@link AsyncHooks} and {@link AsyncExecutors}.
 *
 * <p>Every method is safe to call from inside any JDK class at any time: it never throws for a
 * reason of its own, and does nothing for work linked inside a hook callback or inside a pool's own
 * thread creation.
 *
 * <p>Tasks keep their identity: a link (the resource of one submission) is attached to the
 * application's own task object in a weak identity map, so queues, {@code remove},
 * {@code shutdownNow}, {@code beforeExecute}/{@code afterExecute} and rejection handlers see the
 * application's object. Several submissions of the same object queue their links in order.
 */
public final class AgentSupport {

  /** A task given to an executor. */
  public static final String EXECUTOR_TASK = Tasks.EXECUTOR_TASK;
  /** A delayed or periodic task of a scheduled executor. */
  public static final String SCHEDULED_TASK = Tasks.SCHEDULED_TASK;
  /** A fork/join task, parallel streams' included. */
  public static final String FORK_JOIN_TASK = "FORK_JOIN_TASK";
  /** A platform thread. */
  public static final String THREAD = "THREAD";
  /** A virtual thread. */
  public static final String VIRTUAL_THREAD = "VIRTUAL_THREAD";
  /** A {@code java.util.Timer} task. */
  public static final String TIMER_TASK = "TIMER_TASK";
  /** A {@code CompletableFuture} or stage. */
  public static final String COMPLETABLE_FUTURE = "COMPLETABLE_FUTURE";
  /** An {@code HttpClient.sendAsync} exchange. */
  public static final String HTTP_CLIENT_EXCHANGE = "HTTP_CLIENT_EXCHANGE";
  /** An NIO.2 completion handler's I/O operation. */
  public static final String NIO_COMPLETION = "NIO_COMPLETION";

  /** The links attached to tasks: a {@link Link}, or a {@link Slot} when there are several. */
  private static final WeakIdentityMap<Object> TASKS = new WeakIdentityMap<>();
  private static final WeakIdentityMap<Link> FUTURES = new WeakIdentityMap<>();

  /** Classes whose instances are CompletableFuture internals: their context comes from the stage. */
  private static final ClassValue<Boolean> FUTURE_INTERNAL = new ClassValue<Boolean>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      return type.getName().startsWith("java.util.concurrent.CompletableFuture$");
    }
  };

  private AgentSupport() {}

  // ---------------------------------------------------------------------------------------------
  // Linking tasks at their link point

  /**
   * Enters a method that links work. Only the outermost of nested linking methods on a thread
   * links (an executor delegating to another, {@code fork} pushing through {@code externalPush}),
   * and nothing is linked inside hook callbacks or a pool's own thread creation.
   *
   * @return whether the caller should link; call {@link #linkEnd()} on the way out in any case
   */
  public static boolean linkBegin() {
    ExecutionState s = ExecutionState.current();
    return s.linkDepth++ == 0 && s.suppressDepth == 0;
  }

  /** Leaves a method entered with {@link #linkBegin()}. */
  public static void linkEnd() {
    ExecutionState s = ExecutionState.current();
    if (s.linkDepth > 0) {
      s.linkDepth--;
    }
  }

  /**
   * Enters {@code ThreadPoolExecutor.execute}, which links its task where the task enters the
   * pool ({@link #linkSubmitted}) rather than on the way in: what enters the pool is what a worker
   * will run, even when another agent replaced the argument on the way in (TransmittableThreadLocal
   * wraps it in a {@code TtlRunnable}, OpenTelemetry's agent in a wrapper of its own), in whichever
   * order the agents are attached.
   *
   * <p>A task that {@code CompletableFuture} itself hands to the pool (inside a stage method, or
   * when a completion fires an async dependent) is the future's business and is not linked,
   * whatever another agent wrapped it in: the nesting is raised past what
   * {@link #linkSubmitted} links at.
   *
   * @return the nesting to give back to {@link #linkResume(int)}
   */
  public static int submitBegin() {
    ExecutionState s = ExecutionState.current();
    int depth = s.linkDepth;
    s.linkDepth = s.stageDepth > 0 ? depth + 2 : depth + 1;
    return depth;
  }

  /**
   * The task of the {@code execute} entered with {@link #submitBegin()} enters the pool (as a new
   * worker's first task, or into the queue): links it, if that {@code execute} is the outermost
   * linking call and has not linked it yet (a task that no new worker took goes on to the queue).
   *
   * @return whether a link was attached here
   */
  public static boolean linkSubmitted(Object task) {
    ExecutionState s = ExecutionState.current();
    if (s.linkDepth == 1 && s.suppressDepth == 0 && linkTask(task, EXECUTOR_TASK, false, s)) {
      s.linkDepth = 2;
      return true;
    }
    return false;
  }

  /** {@code queue.offer(task)} in {@code ThreadPoolExecutor.execute}: see {@link #linkSubmitted}. */
  public static boolean offerTask(java.util.concurrent.BlockingQueue<Object> queue, Object task) {
    boolean linked = linkSubmitted(task);
    try {
      return queue.offer(task);
    } catch (RuntimeException | Error e) {
      if (linked) {
        dropTask(task);
      }
      throw e;
    }
  }

  /**
   * Suspends the linking nesting of this thread while application code runs inside a linking
   * method (a rejection handler that runs the task in the caller): what that code links, it links
   * afresh.
   *
   * @return the nesting to give back to {@link #linkResume(int)}
   */
  public static int linkSuspend() {
    ExecutionState s = ExecutionState.current();
    int depth = s.linkDepth;
    s.linkDepth = 0;
    return depth;
  }

  /** Gives back the nesting that {@link #linkSuspend()} took. */
  public static void linkResume(int depth) {
    ExecutionState.current().linkDepth = depth;
  }

  /**
   * Links {@code task} here and now, attaching the link to the task object itself.
   *
   * @return whether a link was attached
   */
  public static boolean linkTask(Object task, String type, boolean periodic) {
    return linkTask(task, type, periodic, ExecutionState.current());
  }

  private static boolean linkTask(Object task, String type, boolean periodic, ExecutionState s) {
    if (task == null || task instanceof ResourceCore || FUTURE_INTERNAL.get(task.getClass())) {
      return false;
    }
    attach(task, new Link(type, ResourceCore.CURRENT_TRIGGER, periodic, s));
    return true;
  }

  /**
   * Attaches {@code link} to {@code task}, after the links it already has. A task's first link is
   * the map's value itself (one map operation to attach, two to take); a second turns the value
   * into a {@link Slot}. Every change of the value is one atomic operation of the map, so a
   * concurrent taker either takes the single link or finds the slot holding both.
   */
  private static void attach(Object task, Link link) {
    while (true) {
      Object held = TASKS.putIfAbsent(task, link);
      if (held == null) {
        return;
      }
      if (held instanceof Slot) {
        if (((Slot) held).add(link)) {
          return;
        }
      } else {
        Slot slot = new Slot();
        synchronized (slot) {  // takers that find the slot wait until it holds both links
          if (TASKS.replace(task, held, slot)) {
            slot.head = (Link) held;
            slot.head.next = link;
            return;
          }
        }
      }
      // The value was taken, or emptied and removed, concurrently: look again.
    }
  }

  /** Whether a link is attached to {@code task}. */
  public static boolean isLinked(Object task) {
    Object held = task == null ? null : TASKS.get(task);
    return held instanceof Link || held instanceof Slot && ((Slot) held).peek() != null;
  }

  /**
   * The task was dropped without running (rejected, cancelled, removed, drained): its most recent
   * link is detached and ended, so that it holds no context any more.
   */
  public static void dropTask(Object task) {
    Link link = take(task, true, true);
    if (link != null) {
      link.cancelled();
    }
  }

  /** Drops every task of {@code tasks} (the list {@code shutdownNow} returns). */
  public static void dropTasks(Iterable<?> tasks) {
    if (tasks != null) {
      for (Object task : tasks) {
        while (take(task, true, true) != null) {
          // drain every link of a task queued several times
        }
      }
    }
  }

  /**
   * Detaches the oldest (or newest) link of {@code task}; a periodic link is only read unless
   * {@code force}.
   */
  private static Link take(Object task, boolean newest, boolean force) {
    if (task == null) {
      return null;
    }
    while (true) {
      Object held = TASKS.get(task);
      if (held == null) {
        return null;
      }
      if (held instanceof Link) {
        Link link = (Link) held;
        if ((link.periodic && !force) || TASKS.remove(task, link)) {
          return link;
        }
        continue;  // taken by another thread, or turned into a slot: look again
      }
      Slot slot = (Slot) held;
      Link link = slot.take(newest, force);
      if (slot.isEmptyAndRetired()) {
        TASKS.remove(task, slot);
      }
      if (link != null) {
        return link;
      }
      // The slot was already emptied: a link attached since is in a fresh value.
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Running a linked task

  /**
   * Called where a worker is about to run {@code task}: enters the context of its link, if it has
   * one, and raises {@code before}.
   *
   * @return the link entered, to pass to {@link #endTask}, or {@code null}
   */
  public static Object beginTask(Object task) {
    Link link = takeToRun(task);
    if (link == null) {
      return null;
    }
    link.running = true;
    link.enterScope();
    return link;
  }

  /**
   * The link under which {@code task} runs now, detached unless periodic; none for the internals of
   * {@code CompletableFuture}, which are never linked (no map lookup for them).
   */
  private static Link takeToRun(Object task) {
    return task == null || FUTURE_INTERNAL.get(task.getClass()) ? null : take(task, false, false);
  }

  /**
   * Ends what {@link #beginTask} began: raises {@code after}, restores the worker's context, and
   * raises {@code destroy} after the last run (a one-shot task, or a periodic one now done).
   *
   * @param finished whether a periodic task will not run again
   */
  public static void endTask(Object begun, boolean finished) {
    if (begun instanceof Link) {
      endRun((Link) begun, ExecutionState.current(), finished);
    }
  }

  private static void endRun(Link link, ExecutionState s, boolean finished) {
    link.exitScope(s);
    link.running = false;
    if (!link.periodic || finished || link.over) {
      link.ended();
    }
  }

  /**
   * Ends what {@link #beginTask} began when the task threw and its thread is about to die (a pool
   * worker, a thread's {@code run}): raises {@code after} and {@code destroy} but keeps the task's
   * context current, so that {@code afterExecute} and the thread's uncaught-exception handler see
   * it.
   */
  public static void endTaskThrown(Object begun) {
    if (begun instanceof Link) {
      endRunThrown((Link) begun, ExecutionState.current());
    }
  }

  private static void endRunThrown(Link link, ExecutionState s) {
    Hooks.HookSet h = Hooks.active;
    if (h != null && !link.silent) {
      h.after(s, link.asyncId);
    }
    link.running = false;
    link.ended();
  }

  /** Runs {@code task} as a worker runs it: in its link's context (woven into pool run loops). */
  public static void runTask(Runnable task) {
    Link link = takeToRun(task);
    if (link == null) {
      task.run();
      return;
    }
    link.running = true;
    ExecutionState s = link.enterScope();
    boolean threw = true;
    try {
      task.run();
      threw = false;
    } catch (RuntimeException | Error e) {
      AsyncStackTraces.attach(e, link);
      throw e;
    } finally {
      if (threw) {
        endRunThrown(link, s);
      } else {
        endRun(link, s, link.periodic && task instanceof Future && ((Future<?>) task).isDone());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Thread creation inside pools: pool threads start empty.

  /**
   * Turns on async stack traces (agent option {@code asyncStackTraces=true}): from now on every
   * resource records its link point's stack, and an exception escaping a continuation gets the
   * chain as {@link AsyncStackTrace}s.
   */
  public static void enableAsyncStackTraces() {
    AsyncStackTraces.enabled = true;
  }

  /** Enters code that creates a pool's own threads: they link nothing and inherit nothing. */
  public static void suppressBegin() {
    ExecutionState.current().suppressDepth++;
  }

  /** Leaves what {@link #suppressBegin()} entered. */
  public static void suppressEnd() {
    ExecutionState s = ExecutionState.current();
    if (s.suppressDepth > 0) {
      s.suppressDepth--;
    }
  }

  /** The type of a thread's resource. */
  public static String threadType(Thread thread) {
    return thread.getClass().getName().equals("java.lang.VirtualThread") ? VIRTUAL_THREAD : THREAD;
  }

  // ---------------------------------------------------------------------------------------------
  // Wrapping, where identity does not matter or cannot be kept (third-party executors, callbacks)

  /** {@code task} as a one-shot task resource linked here, unless it already is one. */
  public static Runnable wrapRunnable(Runnable task, String type) {
    if (task == null || task instanceof ResourceCore || FUTURE_INTERNAL.get(task.getClass())
        || ExecutionState.current().suppressDepth > 0) {
      return task;
    }
    return new Tasks.OneShot(task, type);
  }

  /**
   * A functional argument of a method that registers a stage, declared as {@code kind} (one of
   * {@link AgentAdvice}'s kinds), as one of that type that runs in the context of {@code link}.
   * Without a link, or for {@code null}, the argument itself.
   */
  public static Object wrapCallback(Object callback, Object link, int kind) {
    if (!(link instanceof Link) || callback == null || callback instanceof ResourceCore) {
      return callback;
    }
    return Callbacks.wrap(callback, (Link) link, kind);
  }

  /**
   * An NIO.2 {@code CompletionHandler} as one that runs in the context of this call, as the
   * continuation of a new {@code NIO_COMPLETION} resource (the handler itself if it already is
   * one, or inside a pool's own thread creation).
   */
  public static Object wrapCompletionHandler(Object handler) {
    if (!(handler instanceof java.nio.channels.CompletionHandler)
        || handler instanceof CompletionCallback || ExecutionState.current().suppressDepth > 0) {
      return handler;
    }
    return new CompletionCallback<>((java.nio.channels.CompletionHandler<?, ?>) handler,
        new Link(NIO_COMPLETION, false));
  }

  /**
   * Links an {@code HttpClient} exchange here; when {@code response} completes, the exchange's
   * continuation runs (hooks see {@code before}/{@code after}) and the resource ends. Functions the
   * caller registers on the response run in the caller's context through the future's own
   * instrumentation.
   */
  public static void httpExchange(Object response) {
    ExecutionState s = ExecutionState.current();
    if (!(response instanceof java.util.concurrent.CompletableFuture) || s.suppressDepth > 0) {
      return;
    }
    Link link = new Link(HTTP_CLIENT_EXCHANGE, ResourceCore.CURRENT_TRIGGER, false, s);
    // Tether's own stage: registered under suppression, so it is no resource of its own.
    s.suppressDepth++;
    try {
      ((java.util.concurrent.CompletableFuture<?>) response).whenComplete(new ExchangeDone(link));
    } finally {
      s.suppressDepth--;
    }
  }

  /** Marks an exchange's completion as the exchange's continuation. */
  private static final class ExchangeDone implements BiConsumer<Object, Throwable> {
    private final Link exchange;

    ExchangeDone(Link exchange) {
      this.exchange = exchange;
    }

    @Override
    public void accept(Object response, Throwable failure) {
      ExecutionState s = exchange.enterScope();
      exchange.exitScope(s);
      exchange.ended();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // CompletableFuture: each future is a resource; a stage's function runs in the context where the
  // stage was registered, as the continuation of the dependent future.

  /**
   * Enters a public method of {@code CompletableFuture} that registers a stage on {@code source}
   * ({@code null} for the static {@code supplyAsync}/{@code runAsync}). Links the dependent future
   * that the method creates, triggered by the source.
   *
   * @return the dependent's link, to pass to {@link #wrapCallback} and {@link #stageEnd}; for a
   *     nested call, which links nothing, this thread's state, for {@link #stageEnd} alone
   */
  public static Object stageBegin(Object source) {
    ExecutionState s = ExecutionState.current();
    if (s.stageDepth++ > 0 || s.suppressDepth > 0) {
      return s;
    }
    long trigger = ResourceCore.CURRENT_TRIGGER;
    if (source != null) {
      Link sourceLink = futureLink(source);
      if (sourceLink != null) {
        trigger = sourceLink.asyncId;
      }
    }
    Link link = new Link(COMPLETABLE_FUTURE, trigger, false, s);
    link.registering = s;
    s.pendingFuture = link;
    return link;
  }

  /**
   * {@code CompletableFuture}'s own hand-over of a dependent to its executor (a completion firing
   * an async stage: {@code executor.execute(completion)} in {@code UniCompletion.claim}, replaced
   * by this call). Like a stage method it links nothing of its own: the dependent's functions
   * already run in their stage's context. Propagates whatever {@code execute} throws.
   */
  public static void handOver(java.util.concurrent.Executor executor, Runnable completion) {
    ExecutionState s = ExecutionState.current();
    s.stageDepth++;
    try {
      executor.execute(completion);
    } finally {
      s.stageDepth--;
    }
  }

  /** Leaves what {@link #stageBegin} entered; {@code begun} is what it returned. */
  public static void stageEnd(Object begun) {
    ExecutionState s;
    if (begun instanceof Link) {
      Link link = (Link) begun;
      s = link.registering;
      link.registering = null;
      if (s.pendingFuture == link) {
        s.pendingFuture = null;
      }
    } else if (begun instanceof ExecutionState) {
      s = (ExecutionState) begun;
    } else {
      s = ExecutionState.current();  // stageBegin failed: undo its nesting all the same
    }
    if (s.stageDepth > 0) {
      s.stageDepth--;
    }
  }

  /**
   * A {@code CompletableFuture} was constructed: it adopts the link of the stage being registered,
   * or, when hooks are enabled, gets a link of its own (no hooks, no need to track it).
   */
  public static void futureCreated(Object future) {
    if (Hooks.active == null) {
      return;  // nothing to track: the stage's link stays pending until its stageEnd
    }
    ExecutionState s = ExecutionState.current();
    Link link = s.pendingFuture;
    if (link != null) {
      s.pendingFuture = null;
    } else if (Hooks.active != null && s.suppressDepth == 0 && !s.inHook) {
      link = new Link(COMPLETABLE_FUTURE, ResourceCore.CURRENT_TRIGGER, false, s);
    }
    if (link != null && Hooks.active != null) {
      if (future instanceof LinkHolder) {
        LinkHolder holder = (LinkHolder) future;
        if (holder.tether$link() == null) {  // the constructor's thread: no other sees it yet
          holder.tether$link(link);
        }
      } else {
        FUTURES.putIfAbsent(future, link);
      }
    }
  }

  /** The link of {@code future}: in its own field where the agent added one, else in the map. */
  private static Link futureLink(Object future) {
    return future instanceof LinkHolder ? (Link) ((LinkHolder) future).tether$link()
        : FUTURES.get(future);
  }

  /** A {@code CompletableFuture} was completed: raises {@code promiseResolve}. */
  public static void futureCompleted(Object future) {
    Hooks.HookSet h = Hooks.active;
    if (h == null) {
      return;
    }
    Link link = futureLink(future);
    if (link != null && !link.silent && !link.destroyClaimed()) {  // none after destroy (obtrude)
      h.promiseResolve(ExecutionState.current(), link.asyncId);
      if (link.watched()) {
        link.futureDone();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** One resource linked by the agent: a submission of a task, a thread, a stage, a callback. */
  static final class Link extends ResourceCore {
    final boolean periodic;
    volatile boolean running;
    volatile boolean over;
    /** Next link of the same task object, guarded by its {@link Slot}. */
    Link next;
    /**
     * The state of the thread registering this stage link, from {@code stageBegin} to {@code
     * stageEnd} on that thread (so that {@code stageEnd} needs no thread-local lookup).
     */
    ExecutionState registering;

    Link(String type, boolean periodic) {
      super(type, CURRENT_TRIGGER, true);
      this.periodic = periodic;
    }

    Link(String type, long trigger, boolean periodic, ExecutionState s) {
      super(type, trigger, true, s);
      this.periodic = periodic;
    }

    /**
     * The future of this stage link is complete: its continuation (the stage function, if it had
     * one) will not run any more, so the resource has ended. Destroy is delivered on the
     * {@code tether-destroy} thread (the completion may be a call of the application's), after
     * the run in progress if the function is running now; only a future that never completes
     * waits for the collector. Once only: the claim cancels the watch.
     */
    void futureDone() {
      over = true;
      if (!running && claimDestroy()) {
        Hooks.destroyLater(asyncId);
      }
    }

    /** Runs a stage function of this link in its context, as a run {@link #futureDone} sees. */
    void runStage(Runnable fn) {
      if (!watched()) {
        runInScope(fn);
        return;
      }
      running = true;
      try {
        runInScope(fn);
      } finally {
        stageRan();
      }
    }

    /** Like {@link #runStage}, for a function with a result. */
    <R> R getStage(Supplier<R> fn) {
      if (!watched()) {
        return getInScope(fn);
      }
      running = true;
      try {
        return getInScope(fn);
      } finally {
        stageRan();
      }
    }

    /** The stage function returned: if the future completed meanwhile, its destroy is due now. */
    private void stageRan() {
      running = false;
      if (over && claimDestroy()) {
        Hooks.destroyLater(asyncId);
      }
    }

    /** No run will start any more: destroy now, or after the run in progress. */
    void cancelled() {
      over = true;
      if (!running) {
        ended();
      }
    }

    @Override
    public String toString() {
      return type + "#" + asyncId;
    }
  }

  /**
   * The links of one task object, oldest first. Once emptied by a taker it is retired, and an
   * attacher that finds it retired takes a fresh slot, so no link is added to a removed slot.
   */
  private static final class Slot {
    /** Guarded by this slot; set by {@link #attach} while it holds the lock. */
    Link head;
    private boolean retired;

    synchronized boolean add(Link link) {
      if (retired) {
        return false;
      }
      if (head == null) {
        head = link;
      } else {
        Link tail = head;
        while (tail.next != null) {
          tail = tail.next;
        }
        tail.next = link;
      }
      return true;
    }

    synchronized Link peek() {
      return head;
    }

    /** Removes the oldest (or newest) link; a periodic link is only read unless {@code force}. */
    synchronized Link take(boolean newest, boolean force) {
      Link link = head;
      if (link == null) {
        return null;
      }
      if (newest) {
        Link before = null;
        while (link.next != null) {
          before = link;
          link = link.next;
        }
        if (before == null) {
          head = null;
        } else {
          before.next = null;
        }
      } else if (force || !link.periodic) {
        head = link.next;
        link.next = null;
      }
      if (head == null) {
        retired = true;
      }
      return link;
    }

    synchronized boolean isEmptyAndRetired() {
      return head == null && retired;
    }
  }

  /**
   * Callbacks that run in the context of a link, one per functional interface, through the
   * link's own {@code runInScope}/{@code getInScope} (enter, hooks, async stack trace, restore).
   */
  static final class Callbacks {
    private Callbacks() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object wrap(Object fn, Link link, int kind) {
      switch (kind) {
        case AgentAdvice.FUNCTION: {
          Function f = (Function) fn;
          return (Function<Object, Object>) x -> link.getStage(() -> f.apply(x));
        }
        case AgentAdvice.BI_FUNCTION: {
          BiFunction f = (BiFunction) fn;
          return (BiFunction<Object, Object, Object>) (x, y) -> link.getStage(() -> f.apply(x, y));
        }
        case AgentAdvice.CONSUMER: {
          Consumer f = (Consumer) fn;
          return (Consumer<Object>) x -> link.runStage(() -> f.accept(x));
        }
        case AgentAdvice.BI_CONSUMER: {
          BiConsumer f = (BiConsumer) fn;
          return (BiConsumer<Object, Object>) (x, y) -> link.runStage(() -> f.accept(x, y));
        }
        case AgentAdvice.SUPPLIER: {
          Supplier f = (Supplier) fn;
          return (Supplier<Object>) () -> link.getStage(f);
        }
        case AgentAdvice.RUNNABLE: {
          Runnable f = (Runnable) fn;
          return (Runnable) () -> link.runStage(f);
        }
        default:
          return fn;
      }
    }
  }

  /** An NIO.2 completion handler that runs in the context of the I/O call, once. */
  static final class CompletionCallback<V, A> implements java.nio.channels.CompletionHandler<V, A> {
    private final java.nio.channels.CompletionHandler<V, A> handler;
    private final Link link;

    CompletionCallback(java.nio.channels.CompletionHandler<V, A> handler, Link link) {
      this.handler = handler;
      this.link = link;
    }

    @Override
    public void completed(V result, A attachment) {
      try {
        link.runInScope(() -> handler.completed(result, attachment));
      } finally {
        link.ended();
      }
    }

    @Override
    public void failed(Throwable exc, A attachment) {
      try {
        link.runInScope(() -> handler.failed(exc, attachment));
      } finally {
        link.ended();
      }
    }
  }
}
