package io.tether.agent;

import static io.tether.agent.MethodAdvice.ENTER;
import static io.tether.agent.MethodAdvice.RETURN;
import static io.tether.agent.MethodAdvice.THIS;
import static io.tether.agent.MethodAdvice.THROWN;

import io.tether.internal.FutureLinks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Opcodes;

/**
 * Every JDK async boundary the agent instruments, family by family (SPEC section 3.3): which
 * methods of which types, and what is woven into each. All the woven calls go to {@code
 * io.tether.internal.WovenCalls} (on the bootstrap class path); what one of them throws never
 * reaches the method it is woven into ({@link AdviceWeaver} writes the net), but for the
 * substitutions, which throw what the call they replace would.
 *
 * <ul>
 *   <li><b>executors</b>: {@code ThreadPoolExecutor} (and so every subclass, {@code
 *       ScheduledThreadPoolExecutor} among them) without wrapping a task: the link is attached to
 *       the task object where it enters the pool (a new worker's first task in {@code addWorker},
 *       or {@code queue.offer} in {@code execute}, replaced by {@code WovenCalls.offerTask}: the
 *       object the worker will run, also when another agent replaced {@code execute}'s argument on
 *       the way in), and the worker's {@code task.run()} in {@code runWorker} becomes {@code
 *       WovenCalls.runTask}. Workers are created under suppression, so they start empty. Rejection,
 *       {@code remove}, {@code shutdownNow} and {@code FutureTask.cancel} detach the link. Every
 *       other {@code Executor} (third-party, hand-written) has the task of {@code
 *       execute(Runnable)} replaced by a context-carrying one; an executor delegating to another
 *       wraps once, the outermost.
 *   <li><b>forkjoin</b>: a task is linked where it is forked or pushed into a pool ({@code
 *       externalPush}/{@code externalSubmit} in JDK 17, {@code poolSubmit} in 21+) and runs in that
 *       context in {@code doExec}, whichever worker steals it; a task run inline by the thread that
 *       invokes it was never linked. Workers are created under suppression.
 *   <li><b>futures</b>: each public method of {@code CompletableFuture} that registers a stage
 *       links the dependent future (triggered by its source) and replaces the stage's functions
 *       with ones that run in that link's context, whichever thread completes the source;
 *       constructors adopt that link (or, with hooks enabled, get their own); the internal
 *       completion methods, and every direct write of its {@code result} field (a stage registered
 *       on a completed source, {@code obtrude*}), raise {@code promiseResolve}; {@code
 *       UniCompletion.claim}, the future handing an async dependent to its executor, links nothing
 *       of its own (its {@code execute} call becomes {@code WovenCalls.handOver}; a dependent run
 *       on the completing thread costs nothing there).
 *   <li><b>threads</b>: a thread is linked in {@code start} ({@code Thread}, and {@code
 *       VirtualThread} on JDK 21+) and {@code run} is its continuation, in {@code Thread} and in
 *       every application subclass that overrides it (only the outermost {@code run} on the thread
 *       itself enters); a virtual thread runs its task in {@code VirtualThread.run(Runnable)}. The
 *       JDK's own system threads are not linked.
 *   <li><b>timers</b>: a task is linked in {@code Timer.sched} (periodic when it has a period),
 *       each run in the timer thread's {@code mainLoop} is its continuation, and {@code
 *       TimerTask.cancel} ends it.
 *   <li><b>http</b>: {@code HttpClient.sendAsync} is an {@code HTTP_CLIENT_EXCHANGE} linked at the
 *       call, whose continuation runs when the response future completes.
 *   <li><b>nio</b>: every method of the JDK's asynchronous channels that takes a {@code
 *       CompletionHandler} has the handler replaced by one that runs in the context of the call, as
 *       the continuation of an {@code NIO_COMPLETION}.
 * </ul>
 */
final class Boundaries implements TypeHierarchy.Roots {

  /** Which methods a rule applies to: by name, descriptor and access flags. */
  static final class Methods {
    private final Set<String> names;
    private String namePrefix;
    private String descriptor;
    private String descriptorPrefix;
    private String parameter;
    private String returns;
    private int required;
    private int forbidden;

    private Methods(String... names) {
      this.names = names.length == 0 ? null : new HashSet<>(Arrays.asList(names));
    }

    static Methods named(String... names) {
      return new Methods(names);
    }

    /** Methods whose name starts with {@code prefix}. */
    static Methods prefixed(String prefix) {
      Methods m = new Methods();
      m.namePrefix = prefix;
      return m;
    }

    Methods descriptor(String exact) {
      descriptor = exact;
      return this;
    }

    Methods descriptorStartsWith(String prefix) {
      descriptorPrefix = prefix;
      return this;
    }

    /** Methods returning this type (a descriptor). */
    Methods returns(String type) {
      returns = type;
      return this;
    }

    /** Methods with a parameter of this type (a descriptor). */
    Methods withParameter(String type) {
      parameter = type;
      return this;
    }

    Methods with(int access) {
      required |= access;
      return this;
    }

    Methods without(int access) {
      forbidden |= access;
      return this;
    }

    boolean matches(int access, String name, String desc) {
      return (names == null || names.contains(name))
          && (namePrefix == null || name.startsWith(namePrefix) && !name.startsWith("<"))
          && (descriptor == null || descriptor.equals(desc))
          && (descriptorPrefix == null || desc.startsWith(descriptorPrefix))
          && (parameter == null || desc.lastIndexOf(parameter, desc.indexOf(')')) > 0)
          && (returns == null || desc.endsWith(")" + returns))
          && (access & required) == required
          && (access & forbidden) == 0;
    }
  }

  /** A rule: these methods get this advice. */
  static final class Rule {
    final Methods methods;
    final MethodAdvice advice;

    Rule(Methods methods, MethodAdvice advice) {
      this.methods = methods;
      this.advice = advice;
    }
  }

  static final String[] STAGE_METHODS = {
    "thenApply",
    "thenApplyAsync",
    "thenAccept",
    "thenAcceptAsync",
    "thenRun",
    "thenRunAsync",
    "thenCombine",
    "thenCombineAsync",
    "thenAcceptBoth",
    "thenAcceptBothAsync",
    "runAfterBoth",
    "runAfterBothAsync",
    "applyToEither",
    "applyToEitherAsync",
    "acceptEither",
    "acceptEitherAsync",
    "runAfterEither",
    "runAfterEitherAsync",
    "thenCompose",
    "thenComposeAsync",
    "whenComplete",
    "whenCompleteAsync",
    "handle",
    "handleAsync",
    "exceptionally",
    "exceptionallyAsync",
    "exceptionallyCompose",
    "exceptionallyComposeAsync",
    "completeAsync"
  };

  static final String[] COMPLETIONS = {
    "completeNull", "completeValue", "completeThrowable", "completeRelay", "internalComplete"
  };

  private static final String V = "()V";
  private static final String O_V = "(Ljava/lang/Object;)V";
  private static final String O_O = "(Ljava/lang/Object;)Ljava/lang/Object;";
  private static final String ZO_V = "(ZLjava/lang/Object;)V";
  private static final String LINK_END = "linkEnd";

  /** The rules of the JDK types instrumented, by internal name. */
  final Map<String, List<Rule>> jdkTypes = new HashMap<>();

  /** JDK types given a link field of their own when first loaded: see {@link Weaver}. */
  final java.util.Set<String> linkFieldTypes = new java.util.HashSet<>();

  /** The rules of {@code sun.nio.ch} classes that are asynchronous channels. */
  final List<Rule> asyncChannels = new ArrayList<>();

  /** The rules of every other {@code Executor} implementation. */
  final List<Rule> executors = new ArrayList<>();

  /** The rules of application subclasses of {@code Thread}. */
  final List<Rule> threads = new ArrayList<>();

  /**
   * The rules the links declare for one class, by internal name. Declarations of a built-in library
   * are added when its first class loads ({@link #ensure}), while other threads read: each value is
   * a list never changed once published.
   */
  final Map<String, List<Rule>> libraryTypes = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The classes the links declare with their subtypes ({@code Class+}), and the rules of each, by
   * the same index ({@link TypeHierarchy#root}). Appended to only: a root's rules first, then its
   * name, so that a reader that sees a root sees its rules.
   */
  final List<String> libraryRoots = new java.util.concurrent.CopyOnWriteArrayList<>();

  final List<List<Rule>> rootRules = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** The bits of {@link #libraryRoots} by name ({@link TypeHierarchy#root}), replaced on change. */
  private volatile Map<String, Long> rootBits = Map.of();

  /** The built-in libraries whose declarations are not read yet. */
  private volatile Links.Library[] pending = new Links.Library[0];

  /**
   * Installs what the links of third-party libraries need at run time (the callback wrappers'
   * generator, Kotlin's context element), once, before the first declaration takes effect; {@code
   * null} once run.
   */
  private volatile Runnable machinery;

  /** Whether kotlinx.coroutines classes are woven (they need {@link #machinery} too). */
  private final boolean coroutines;

  Boundaries(AgentOptions options) {
    this(options, List.of(), List.of());
  }

  Boundaries(AgentOptions options, List<Links.Declaration> links, List<Links.Library> libraries) {
    this(options, links, libraries, null);
  }

  /**
   * The JDK's boundaries the options enable, those {@code links} declare, and those of {@code
   * libraries}, each read when the first class under its prefixes loads; {@code machinery} runs
   * before the first declaration of a library takes effect.
   */
  Boundaries(
      AgentOptions options,
      List<Links.Declaration> links,
      List<Links.Library> libraries,
      Runnable machinery) {
    this.machinery = machinery;
    this.coroutines = options.enabled(AgentOptions.Family.COROUTINES);
    this.pending = libraries.toArray(new Links.Library[0]);
    if (options.enabled(AgentOptions.Family.EXECUTORS)) {
      executors();
    }
    if (options.enabled(AgentOptions.Family.FORKJOIN)) {
      forkJoin();
    }
    if (options.enabled(AgentOptions.Family.FUTURES)) {
      futures();
    }
    if (options.enabled(AgentOptions.Family.THREADS)) {
      threads();
    }
    if (options.enabled(AgentOptions.Family.TIMERS)) {
      timers();
    }
    if (options.enabled(AgentOptions.Family.HTTP)) {
      http();
    }
    if (options.enabled(AgentOptions.Family.NIO)) {
      nio();
    }
    if (options.asyncStackTraces()) {
      asyncStackTraces();
    }
    if (options.enabled(AgentOptions.Family.COROUTINES)) {
      coroutines();
    }
    if (!links.isEmpty()) {
      startMachinery();
    }
    for (Links.Declaration d : links) {
      library(d);
    }
  }

  /** Runs {@link #machinery} if it has not run. */
  private void startMachinery() {
    if (machinery == null) {
      return;
    }
    synchronized (this) {
      Runnable m = machinery;
      if (m != null) {
        machinery = null;
        m.run();
      }
    }
  }

  /**
   * Reads the declarations of the built-in library that {@code internalName} belongs to, if they
   * are not read yet: called with every class name the weaver looks at, before it looks.
   */
  void ensure(String internalName) {
    if (coroutines && machinery != null && internalName.startsWith("kotlinx/coroutines/")) {
      startMachinery();
    }
    Links.Library[] now = pending;
    for (Links.Library library : now) {
      if (library.covers(internalName)) {
        read(library);
        return;
      }
    }
  }

  private synchronized void read(Links.Library library) {
    List<Links.Library> left = new ArrayList<>(List.of(pending));
    if (!left.remove(library)) {
      return; // another thread read it
    }
    startMachinery();
    try {
      for (Links.Declaration d : library.declarations()) {
        library(d);
      }
    } catch (RuntimeException e) {
      System.err.println(
          "tether-agent: the built-in declarations "
              + library.file
              + " cannot be used ("
              + e.getMessage()
              + "); that library's callbacks run unlinked");
    }
    pending = left.toArray(new Links.Library[0]);
  }

  /** The root bits ({@link TypeHierarchy#root}) of {@code internalName}, reading its library. */
  @Override
  public long rootBits(String internalName) {
    ensure(internalName);
    Long bits = rootBits.get(internalName);
    return bits == null ? 0 : bits;
  }

  /** One declaration of the links: its rule, under its class or its root. */
  private void library(Links.Declaration d) {
    Methods methods = d.methodPrefix ? Methods.prefixed(d.method) : Methods.named(d.method);
    if (d.parameters != null) {
      methods.descriptorStartsWith("(" + d.parameters + ")");
    }
    MethodAdvice advice;
    if (d.shape == Links.Shape.THREADS) {
      advice = MethodAdvice.enter("suppressBegin", V).exit("suppressEnd", V);
    } else {
      int id = io.tether.internal.Callbacks.declare(d.resourceType, d.once, d.except);
      advice =
          MethodAdvice.none()
              .replaceArg(
                  d.arg,
                  new MethodAdvice.Replacement(
                      "callback",
                      "(Ljava/lang/Object;ILjava/lang/Class;)Ljava/lang/Object;",
                      id,
                      false,
                      true));
    }
    Rule rule = new Rule(methods, advice);
    if (d.subtypes) {
      int index = libraryRoots.indexOf(d.type);
      if (index < 0) {
        if (libraryRoots.size() >= TypeHierarchy.MAX_ROOTS) {
          System.err.println(
              "tether-agent: "
                  + d.where
                  + ": more classes are declared with their subtypes (Class+) than "
                  + TypeHierarchy.MAX_ROOTS
                  + "; this one is left out");
          return;
        }
        index = libraryRoots.size();
        rootRules.add(new java.util.concurrent.CopyOnWriteArrayList<>());
        libraryRoots.add(d.type);
        Map<String, Long> bits = new HashMap<>(rootBits);
        bits.merge(d.type, TypeHierarchy.root(index), (a, b) -> a | b);
        rootBits = Map.copyOf(bits);
      }
      rootRules.get(index).add(rule);
    } else {
      libraryTypes.merge(
          d.type,
          List.of(rule),
          (a, b) -> {
            List<Rule> both = new ArrayList<>(a);
            both.addAll(b);
            return List.copyOf(both);
          });
    }
  }

  /**
   * Where a task records the exception it ended with instead of letting it escape: the exception
   * gets the task's async stack there (only with {@code asyncStackTraces=true}).
   */
  private void asyncStackTraces() {
    add(
        "java/util/concurrent/FutureTask",
        Methods.named("setException").descriptor("(Ljava/lang/Throwable;)V"),
        MethodAdvice.enter("asyncStackTrace", O_V, 0));
    add(
        "java/util/concurrent/ForkJoinTask",
        Methods.named("setExceptionalCompletion", "trySetException")
            .descriptorStartsWith("(Ljava/lang/Throwable;)"),
        MethodAdvice.enter("asyncStackTrace", O_V, 0));
  }

  private void add(String type, Methods methods, MethodAdvice advice) {
    List<Rule> rules = jdkTypes.get(type);
    if (rules == null) {
      rules = new ArrayList<>();
      jdkTypes.put(type, rules);
    }
    rules.add(new Rule(methods, advice));
  }

  private static MethodAdvice linking(String enter, String descriptor, int... args) {
    return MethodAdvice.enter(enter, descriptor, args).exit(LINK_END, V);
  }

  private void executors() {
    String pool = "java/util/concurrent/ThreadPoolExecutor";
    add(
        pool,
        Methods.named("execute").descriptor("(Ljava/lang/Runnable;)V"),
        MethodAdvice.enter("executeEnter", "()Ljava/lang/Object;")
            .exit("executeExit", O_V, ENTER)
            .substituteWithEnter(
                "java/util/concurrent/BlockingQueue",
                "offer",
                "(Ljava/lang/Object;)Z",
                "offerTask",
                "(Ljava/util/concurrent/BlockingQueue;Ljava/lang/Object;Ljava/lang/Object;)Z"));
    add(
        pool,
        Methods.named("addWorker").descriptorStartsWith("(Ljava/lang/Runnable;"),
        MethodAdvice.enter("addWorkerEnter", "(Ljava/lang/Object;)Z", 0)
            .exit(
                "addWorkerExit", "(Ljava/lang/Throwable;Ljava/lang/Object;Z)V", THROWN, 0, ENTER));
    add(
        pool,
        Methods.named("reject").descriptor("(Ljava/lang/Runnable;)V"),
        MethodAdvice.enter("rejectEnter", "(Ljava/lang/Object;)I", 0)
            .exit("linkResume", "(I)V", ENTER));
    add(
        pool,
        Methods.named("remove").descriptor("(Ljava/lang/Runnable;)Z"),
        MethodAdvice.none().exitOnReturn("removeExit", ZO_V, RETURN, 0));
    add(
        pool,
        Methods.named("shutdownNow").descriptor("()Ljava/util/List;"),
        MethodAdvice.none().exitOnReturn("shutdownNowExit", O_V, RETURN));
    add(
        pool,
        Methods.named("runWorker"),
        MethodAdvice.none()
            .substitute("java/lang/Runnable", "run", V, "runTask", "(Ljava/lang/Runnable;)V"));
    add(
        "java/util/concurrent/ScheduledThreadPoolExecutor",
        Methods.named("delayedExecute")
            .descriptorStartsWith("(Ljava/util/concurrent/RunnableScheduledFuture;"),
        linking("delayedExecuteEnter", O_V, 0));
    linkFieldTypes.add("java/util/concurrent/FutureTask"); // its links in a field: TaskLinks
    add(
        "java/util/concurrent/FutureTask",
        Methods.named("cancel").descriptor("(Z)Z"),
        MethodAdvice.none().exitOnReturn("cancelExit", ZO_V, RETURN, THIS));
    executors.add(
        new Rule(
            Methods.named("execute").descriptorStartsWith("(Ljava/lang/Runnable;)"),
            MethodAdvice.enterReplacing(0, "executorEnter", O_O, 0).exit(LINK_END, V)));
  }

  private void forkJoin() {
    String task = "java/util/concurrent/ForkJoinTask";
    String pool = "java/util/concurrent/ForkJoinPool";
    // Their links in a field (TaskFields); not ForkJoinTask's own: CompletableFuture's stages are
    // fork/join tasks too, never linked, and would each grow by the field.
    for (String withField :
        List.of(
            "java/util/concurrent/CountedCompleter",
            "java/util/concurrent/RecursiveTask",
            "java/util/concurrent/RecursiveAction")) {
      linkFieldTypes.add(withField);
      jdkTypes.putIfAbsent(withField, new ArrayList<>()); // nothing to weave: the field alone
    }
    add(task, Methods.named("fork").descriptorStartsWith("()"), linking("forkEnter", O_V, THIS));
    add(
        task,
        Methods.named("doExec").descriptorStartsWith("()"),
        MethodAdvice.enter("beginTask", O_O, THIS).exit("endTask", O_V, ENTER));
    add(
        pool,
        Methods.named("externalPush", "externalSubmit")
            .descriptorStartsWith("(Ljava/util/concurrent/ForkJoinTask;)"),
        linking("forkEnter", O_V, 0));
    add(
        pool,
        Methods.named("poolSubmit").descriptorStartsWith("(ZLjava/util/concurrent/ForkJoinTask;)"),
        linking("forkEnter", O_V, 1));
    add(
        pool,
        Methods.named("createWorker"),
        MethodAdvice.enter("suppressBegin", V).exit("suppressEnd", V));
  }

  private void futures() {
    String future = "java/util/concurrent/CompletableFuture";
    linkFieldTypes.add(future);
    MethodAdvice stage = MethodAdvice.enter("stageBegin", O_O, THIS).exit("stageEnd", O_V, ENTER);
    // The kinds are compile-time constants: reading them loads no class of tether-core.
    Object[][] kinds = {
      {"Ljava/util/function/Function;", FutureLinks.FUNCTION},
      {"Ljava/util/function/BiFunction;", FutureLinks.BI_FUNCTION},
      {"Ljava/util/function/Consumer;", FutureLinks.CONSUMER},
      {"Ljava/util/function/BiConsumer;", FutureLinks.BI_CONSUMER},
      {"Ljava/util/function/Supplier;", FutureLinks.SUPPLIER},
      {"Ljava/lang/Runnable;", FutureLinks.RUNNABLE},
    };
    for (Object[] kind : kinds) {
      stage =
          stage.replace(
              (String) kind[0],
              new MethodAdvice.Replacement(
                  "stageCallback",
                  "(Ljava/lang/Object;Ljava/lang/Object;I)Ljava/lang/Object;",
                  (Integer) kind[1],
                  true));
    }
    add(
        future,
        Methods.named(STAGE_METHODS).with(Opcodes.ACC_PUBLIC).without(Opcodes.ACC_STATIC),
        stage);
    add(future, Methods.named("supplyAsync", "runAsync").with(Opcodes.ACC_STATIC), stage);
    add(
        future,
        Methods.named("<init>"),
        MethodAdvice.none().exitOnReturn("futureCreated", O_V, THIS));
    add(
        future,
        Methods.named(COMPLETIONS).returns("Z").without(Opcodes.ACC_STATIC),
        MethodAdvice.none().exitOnReturn("futureCompleted", ZO_V, RETURN, THIS));
    // Stages registered on a completed source, and obtrude*, set the result field directly.
    add(
        future,
        Methods.named(),
        MethodAdvice.none().afterFieldWrite(future, "result", "futureResultWritten"));
    add(
        "java/util/concurrent/CompletableFuture$UniCompletion",
        Methods.named("claim").descriptor("()Z"),
        MethodAdvice.none()
            .substitute(
                "java/util/concurrent/Executor",
                "execute",
                "(Ljava/lang/Runnable;)V",
                "handOver",
                "(Ljava/util/concurrent/Executor;Ljava/lang/Runnable;)V"));
  }

  private void threads() {
    MethodAdvice start =
        MethodAdvice.enter("threadStartEnter", O_V, THIS)
            .exit("threadStartExit", "(Ljava/lang/Throwable;Ljava/lang/Object;)V", THROWN, THIS);
    Rule run =
        new Rule(
            Methods.named("run").descriptor(V),
            MethodAdvice.enter("threadRunEnter", O_O, THIS)
                .exit(
                    "threadRunExit", "(Ljava/lang/Throwable;Ljava/lang/Object;)V", THROWN, ENTER));
    for (String type : new String[] {"java/lang/Thread", "java/lang/VirtualThread"}) {
      add(type, Methods.named("start").without(Opcodes.ACC_STATIC), start);
      jdkTypes.get(type).add(run);
    }
    add(
        "java/lang/VirtualThread",
        Methods.named("run").descriptor("(Ljava/lang/Runnable;)V"),
        MethodAdvice.enter("beginTask", O_O, THIS).exit("endTask", O_V, ENTER));
    threads.add(run);
  }

  private void timers() {
    add(
        "java/util/Timer",
        Methods.named("sched").descriptor("(Ljava/util/TimerTask;JJ)V"),
        MethodAdvice.enter("schedEnter", "(Ljava/lang/Object;J)Z", 0, 2)
            .exit("schedExit", "(Ljava/lang/Throwable;Ljava/lang/Object;Z)V", THROWN, 0, ENTER));
    add(
        "java/util/TimerThread",
        Methods.named("mainLoop"),
        MethodAdvice.none()
            .substitute("java/util/TimerTask", "run", V, "runTask", "(Ljava/lang/Runnable;)V"));
    add(
        "java/util/TimerTask",
        Methods.named("cancel").descriptor("()Z"),
        MethodAdvice.none().exitOnReturn("cancelExit", ZO_V, RETURN, THIS));
  }

  private void http() {
    add(
        "jdk/internal/net/http/HttpClientImpl",
        Methods.named("sendAsync").with(Opcodes.ACC_PUBLIC).without(Opcodes.ACC_STATIC),
        MethodAdvice.enter("linkBegin", "()Z")
            .exit("sendAsyncExit", "(Ljava/lang/Object;Z)V", RETURN, ENTER));
  }

  /**
   * Kotlin coroutines: both {@code newCoroutineContext} of kotlinx (a new coroutine's context, from
   * its scope or its parent's context and the context added) get Tether's element added ({@code
   * WovenCalls.coroutineContext}, see {@link KotlinSupport}). The threads kotlinx starts are
   * declared in its links file.
   */
  private void coroutines() {
    String context = "Lkotlin/coroutines/CoroutineContext;";
    add(
        "kotlinx/coroutines/CoroutineContextKt",
        Methods.named("newCoroutineContext")
            .descriptorStartsWith("(Lkotlinx/coroutines/CoroutineScope;" + context + ")"),
        MethodAdvice.enterReplacing(1, "coroutineContext", O_O_O, 0, 1));
    add(
        "kotlinx/coroutines/CoroutineContextKt",
        Methods.named("newCoroutineContext").descriptorStartsWith("(" + context + context + ")"),
        MethodAdvice.enterReplacing(1, "coroutineContext", O_O_O, 0, 1));
  }

  private static final String O_O_O = "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;";

  private void nio() {
    String handler = "Ljava/nio/channels/CompletionHandler;";
    asyncChannels.add(
        new Rule(
            Methods.named().withParameter(handler),
            MethodAdvice.none()
                .replace(
                    handler, new MethodAdvice.Replacement("completionHandler", O_O, -1, false))));
  }
}
