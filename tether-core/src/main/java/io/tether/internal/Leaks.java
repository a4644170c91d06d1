package io.tether.internal;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.ContextLeak;
import io.tether.ContextLeakHandler;
import io.tether.ResourceTypes;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Not public API. The context leak detector behind {@code ContextLeaks}: contexts kept alive longer
 * than a threshold by holders that can outlive their request.
 *
 * <p>It is an async hook of Tether's own, enabled only while the detector is on: off, nothing of
 * this class is loaded and the hot paths carry no check of their own (the hook dispatch's existing
 * null check is all). On, {@code init} watches each capture of a non-empty frame by a resource that
 * can outlive its request (a thread, a scheduled or timer task that may repeat, a future's stage, a
 * library's callback, a snapshot, a bound function, an {@code AsyncResource}; never a one-shot
 * executor or fork/join task, an HTTP exchange or an I/O completion), with the call site found by
 * one stack walk; {@code before} notes the thread of a thread's resource; {@code destroy} forgets
 * the resource.
 *
 * <p>Invariants: an {@link Entry} holds its resource weakly and its frame not at all, so watching
 * never keeps a holder or a context alive; it holds strings and numbers besides. A resource whose
 * destroy was claimed (it ended: ran, completed, cancelled, destroyed) or that was collected is
 * forgotten, never reported; the detector's own hook makes every ending claim its destroy. A sweep
 * ({@link Detector#sweep}, serialised on the detector) reports an entry past the threshold once.
 * Past the threshold, an entry whose liveness only the collector can tell (all but a thread, which
 * ends its resource when its run returns) is reported only once a collection has run since it was
 * first seen overdue and left it alive: {@link Detector#collections} counts the collections seen
 * through a sentinel weak reference, renewed at each sweep that finds it cleared.
 */
public final class Leaks {

  /** The system property that turns the detector on when Tether is first used: a duration. */
  public static final String PROPERTY = "tether.leaks";

  private static final Object LOCK = new Object();
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

  /** The detector on now, or {@code null}. */
  private static volatile Detector detector;

  private static volatile ContextLeakHandler handler = new DefaultHandler();

  /** Who else hears of each report: the recorder's JFR events. */
  private static final List<Consumer<ContextLeak>> OBSERVERS = new CopyOnWriteArrayList<>();

  private Leaks() {}

  /** Turns the detector on with {@code threshold}, replacing one on now. */
  public static void enable(Duration threshold) {
    synchronized (LOCK) {
      stop();
      Detector d = new Detector(threshold);
      detector = d;
      d.start();
    }
  }

  /** Turns the detector off. Idempotent. */
  public static void disable() {
    synchronized (LOCK) {
      stop();
    }
  }

  private static void stop() {
    Detector d = detector;
    if (d != null) {
      detector = null;
      d.stop();
    }
  }

  /** The threshold of the detector on now, or {@code null} when it is off. */
  public static Duration threshold() {
    Detector d = detector;
    return d == null ? null : d.threshold;
  }

  /**
   * {@code -Dtether.leaks=DURATION} was given: turns the detector on, or says in one line on {@code
   * System.err} why not (the application runs on without it).
   */
  public static void enableFromProperty(String value) {
    try {
      enable(parseThreshold(value, "-D" + PROPERTY));
    } catch (IllegalArgumentException e) {
      System.err.println("[tether] " + e.getMessage() + "; the context leak detector is off");
    }
  }

  /**
   * A threshold as the property and the agent's option take it: a positive whole number of {@code
   * ms}, {@code s}, {@code m} or {@code h} ({@code 30s}), or an ISO-8601 duration ({@code PT30S}).
   *
   * @param what what gave it, for the error ({@code "option 'leaks'"})
   * @throws IllegalArgumentException in one line naming {@code what} and the text
   */
  public static Duration parseThreshold(String value, String what) {
    String text = value == null ? "" : value.trim();
    Duration d = null;
    Matcher m = DURATION.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          d = Duration.ofMillis(n);
          break;
        case "s":
          d = Duration.ofSeconds(n);
          break;
        case "m":
          d = Duration.ofMinutes(n);
          break;
        default:
          d = Duration.ofHours(n);
          break;
      }
    } else if (text.startsWith("P") || text.startsWith("p")) {
      try {
        d = Duration.parse(text);
      } catch (RuntimeException e) {
        d = null;
      }
    }
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(
          what
              + " takes a positive duration such as 30s, 500ms, 5m or 1h, got '"
              + (value == null ? "" : value)
              + "'");
    }
    return d;
  }

  /** Sets the handler of reports; returns the previous one. */
  public static ContextLeakHandler setHandler(ContextLeakHandler h) {
    ContextLeakHandler previous = handler;
    handler = h;
    return previous;
  }

  /** Adds a listener that hears of every report after the handler: the recorder's. */
  public static void addObserver(Consumer<ContextLeak> observer) {
    OBSERVERS.add(observer);
  }

  /** Removes a listener added with {@link #addObserver}. */
  public static void removeObserver(Consumer<ContextLeak> observer) {
    OBSERVERS.remove(observer);
  }

  /**
   * Sweeps now as if the time were {@code nanoTime} ({@link System#nanoTime()}'s clock): reports
   * and returns the leaks not reported before; nothing when the detector is off. Tests pass a time
   * past the threshold rather than wait for it.
   */
  public static List<ContextLeak> check(long nanoTime) {
    Detector d = detector;
    return d == null ? List.of() : d.sweepAndReport(nanoTime);
  }

  /**
   * For tests: {@link #check} at {@code nanoTime}, then collections until the detector has seen one
   * (at most 50 requests to the collector), then {@link #check} again; the leaks both found.
   */
  public static List<ContextLeak> checkAfterCollection(long nanoTime) {
    Detector d = detector;
    if (d == null) {
      return List.of();
    }
    List<ContextLeak> found = new ArrayList<>(d.sweepAndReport(nanoTime));
    for (int i = 0; i < 50 && !d.collectedSinceSweep(); i++) {
      System.gc();
    }
    found.addAll(d.sweepAndReport(nanoTime));
    return found;
  }

  /** For tests: how many captures the detector watches now (0 when off). */
  public static int watched() {
    Detector d = detector;
    return d == null ? 0 : d.entries.size();
  }

  private static void report(ContextLeak leak) {
    try {
      handler.onContextLeak(leak);
    } catch (Throwable ignored) {
      // a handler's failure must not stop the sweep, nor reach the application
    }
    for (Consumer<ContextLeak> o : OBSERVERS) {
      try {
        o.accept(leak);
      } catch (Throwable ignored) {
        // as above
      }
    }
  }

  /** One watched capture. */
  static final class Entry {
    final long asyncId;
    final WeakReference<ResourceCore> resource;
    final long since;
    final String callSite;

    /** For a library's callback: the method it was registered with; else "". */
    final String registrar;

    /** For a thread's resource: the thread, noted at its run's {@code before}. */
    volatile WeakReference<Thread> thread;

    /** Guarded by the detector: the collection count when first seen overdue, or -1. */
    long overdueAt = -1;

    /** Guarded by the detector. */
    boolean reported;

    Entry(long asyncId, ResourceCore resource, long since, String callSite, String registrar) {
      this.asyncId = asyncId;
      this.resource = new WeakReference<>(resource);
      this.since = since;
      this.callSite = callSite;
      this.registrar = registrar;
    }
  }

  /** The detector on now: its hook, its entries and its sweeping thread. */
  static final class Detector implements AsyncHookCallbacks {
    private static final StackWalker WALKER = StackWalker.getInstance();

    final Duration threshold;
    private final long thresholdNanos;
    final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
    private final AsyncHook hook;
    private Thread sweeper;

    /** Guarded by this: collections seen, and the weak reference that tells of the next one. */
    private long collections;

    private WeakReference<Object> sentinel = new WeakReference<>(new Object());

    Detector(Duration threshold) {
      this.threshold = threshold;
      this.thresholdNanos = saturatedNanos(threshold);
      this.hook = AsyncHooks.createHook(this);
    }

    private static long saturatedNanos(Duration d) {
      try {
        return d.toNanos();
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }

    void start() {
      hook.enable();
      sweeper = Nesting.startOwnThread("tether-leaks", this::sweepEvery);
    }

    /** Off: no event reaches the hook any more, and the sweeping thread has ended on return. */
    void stop() {
      hook.disable();
      entries.clear();
      LockSupport.unpark(sweeper);
      if (sweeper != Thread.currentThread()) { // a handler may turn the detector off
        boolean interrupted = false;
        while (sweeper.isAlive()) {
          try {
            sweeper.join();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** The sweeping thread's loop: a quarter of the threshold apart, 100 ms to a minute. */
    private void sweepEvery() {
      long interval =
          Math.max(
              TimeUnit.MILLISECONDS.toNanos(100),
              Math.min(TimeUnit.MINUTES.toNanos(1), thresholdNanos / 4));
      while (detector == this) {
        LockSupport.parkNanos(interval);
        if (detector == this) {
          try {
            sweepAndReport(System.nanoTime());
          } catch (Throwable t) {
            // a daemon: it sweeps as long as the detector is on
          }
        }
      }
    }

    @Override
    public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
      if (!(resource instanceof ResourceCore)) {
        return;
      }
      ResourceCore r = (ResourceCore) resource;
      if (r.frame.size() == 0 || !mayOutliveItsRequest(r)) {
        return;
      }
      boolean library = r instanceof Link && !jdkLink(r.type);
      String[] site = callSite(library);
      entries.put(asyncId, new Entry(asyncId, r, System.nanoTime(), site[0], site[1]));
    }

    @Override
    public void before(long asyncId) {
      Object running = ExecutionState.current().resource;
      if (running instanceof Link && threadType(((Link) running).type)) {
        Entry e = entries.get(asyncId);
        if (e != null && e.thread == null) {
          e.thread = new WeakReference<>(Thread.currentThread());
        }
      }
    }

    @Override
    public void destroy(long asyncId) {
      entries.remove(asyncId);
    }

    /** Whether a collection cleared the sentinel since the last sweep. */
    synchronized boolean collectedSinceSweep() {
      return sentinel.get() == null;
    }

    List<ContextLeak> sweepAndReport(long now) {
      List<ContextLeak> found = sweep(now);
      for (ContextLeak leak : found) {
        report(leak);
      }
      return found;
    }

    /** The leaks past the threshold at {@code now}, marked reported; reports nothing itself. */
    synchronized List<ContextLeak> sweep(long now) {
      DestroyWatch.seeOutAll(); // the agent's links held in their slots: let go of them first
      if (sentinel.get() == null) {
        collections++;
        sentinel = new WeakReference<>(new Object());
      }
      List<ContextLeak> found = new ArrayList<>();
      for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
        Entry e = it.next();
        ResourceCore r = e.resource.get();
        if (r == null || r.destroyClaimed()) {
          it.remove();
          continue;
        }
        if (e.reported || now - e.since < thresholdNanos) {
          continue;
        }
        ContextLeak.Holder kind = holderOf(r);
        if (kind == null) {
          continue; // a one-shot scheduled task, not yet due: it will run and end
        }
        if (kind != ContextLeak.Holder.THREAD) {
          if (e.overdueAt < 0) {
            e.overdueAt = collections;
            continue;
          }
          if (e.overdueAt == collections) {
            continue;
          }
        }
        e.reported = true;
        found.add(describe(e, r, kind, now));
      }
      return found;
    }

    private ContextLeak describe(Entry e, ResourceCore r, ContextLeak.Holder kind, long now) {
      String holderClass;
      String detail = "";
      switch (kind) {
        case THREAD:
          WeakReference<Thread> ref = e.thread;
          Thread t = ref == null ? null : ref.get();
          holderClass = t == null ? Thread.class.getName() : t.getClass().getName();
          detail = t == null ? "not running yet" : "\"" + t.getName() + "\"";
          break;
        case PERIODIC_TASK:
          Object task =
              r instanceof Tasks.Periodic ? ((Tasks.Periodic) r).task : TaskLinks.taskOf((Link) r);
          holderClass = task == null ? r.type : task.getClass().getName();
          break;
        case LISTENER:
          if (r instanceof Bound.BoundRunnable || r instanceof Bound.BoundCallable) {
            Object fn =
                r instanceof Bound.BoundRunnable
                    ? ((Bound.BoundRunnable) r).fn
                    : ((Bound.BoundCallable<?>) r).fn;
            holderClass = fn.getClass().getName();
            detail = "a function bound with bind";
          } else if (ResourceTypes.COMPLETABLE_FUTURE.equals(r.type)) {
            holderClass = "java.util.concurrent.CompletableFuture";
            detail = "a dependent stage, its source not completed";
          } else {
            int dot = e.registrar.lastIndexOf('.');
            holderClass = dot < 0 ? r.type : e.registrar.substring(0, dot);
            detail = "registered with " + e.registrar + ", " + r.type;
          }
          break;
        default:
          holderClass = r.getClass().getName();
          break;
      }
      Map<String, String> held = new LinkedHashMap<>();
      Frame f = r.frame;
      for (int n = 0; n < f.size(); n++) {
        Object storage = f.storageAt(n);
        Object value = f.valueOfEntry(n);
        held.put(String.valueOf(storage), value == null ? "null" : value.getClass().getName());
      }
      return new ContextLeak(
          kind,
          holderClass,
          detail,
          e.callSite,
          held,
          Duration.ofNanos(now - e.since),
          threshold,
          e.asyncId);
    }
  }

  /**
   * Whether a resource can hold its frame past its request: not the one-shot kinds that run soon
   * and end (executor and fork/join tasks, HTTP exchanges, I/O completions, wrapped one-shot
   * tasks). Scheduled and timer tasks are watched whether they repeat or not, as their link does
   * not know yet when it is created; a one-shot one is never reported.
   */
  private static boolean mayOutliveItsRequest(ResourceCore r) {
    if (r instanceof Link) {
      switch (r.type) {
        case ResourceTypes.EXECUTOR_TASK:
        case ResourceTypes.FORK_JOIN_TASK:
        case ResourceTypes.HTTP_CLIENT_EXCHANGE:
        case ResourceTypes.NIO_COMPLETION:
          return false;
        default:
          return true;
      }
    }
    return !(r instanceof Tasks.OneShot || r instanceof Tasks.OneShotCallable);
  }

  /** The kind of holder of a watched resource, or {@code null} for a one-shot scheduled task. */
  static ContextLeak.Holder holderOf(ResourceCore r) {
    if (r instanceof Link) {
      if (threadType(r.type)) {
        return ContextLeak.Holder.THREAD;
      }
      if (r.type.equals(ResourceTypes.SCHEDULED_TASK) || r.type.equals(ResourceTypes.TIMER_TASK)) {
        return ((Link) r).periodic ? ContextLeak.Holder.PERIODIC_TASK : null;
      }
      return ContextLeak.Holder.LISTENER;
    }
    if (r instanceof Tasks.Periodic) {
      return ContextLeak.Holder.PERIODIC_TASK;
    }
    return r instanceof Bound.BoundRunnable || r instanceof Bound.BoundCallable
        ? ContextLeak.Holder.LISTENER
        : ContextLeak.Holder.SNAPSHOT;
  }

  private static boolean threadType(String type) {
    return type.equals(ResourceTypes.THREAD) || type.equals(ResourceTypes.VIRTUAL_THREAD);
  }

  /** Whether a link's type is one of the JDK boundaries' (else a library's callback). */
  private static boolean jdkLink(String type) {
    switch (type) {
      case ResourceTypes.THREAD:
      case ResourceTypes.VIRTUAL_THREAD:
      case ResourceTypes.EXECUTOR_TASK:
      case ResourceTypes.SCHEDULED_TASK:
      case ResourceTypes.FORK_JOIN_TASK:
      case ResourceTypes.COMPLETABLE_FUTURE:
      case ResourceTypes.TIMER_TASK:
      case ResourceTypes.HTTP_CLIENT_EXCHANGE:
      case ResourceTypes.NIO_COMPLETION:
        return true;
      default:
        return false;
    }
  }

  /**
   * The capture's call site: the first frame that is neither the JDK's nor Tether's. For a
   * library's callback that frame is the library's method it was registered with, and the call site
   * is the first frame below it outside the library (by the first two names of its package); {@code
   * {callSite, registrar}}.
   */
  private static String[] callSite(boolean library) {
    return Detector.WALKER.walk(
        frames -> {
          Iterator<StackWalker.StackFrame> it =
              frames.filter(f -> !CallSites.isInternal(f.getClassName())).iterator();
          if (!it.hasNext()) {
            return new String[] {"", ""};
          }
          StackWalker.StackFrame first = it.next();
          if (!library) {
            return new String[] {CallSites.describe(first), ""};
          }
          String registrar = first.getClassName() + "." + first.getMethodName();
          String root = root(first.getClassName());
          while (it.hasNext()) {
            StackWalker.StackFrame f = it.next();
            if (!root(f.getClassName()).equals(root)) {
              return new String[] {CallSites.describe(f), registrar};
            }
          }
          return new String[] {CallSites.describe(first), registrar};
        });
  }

  /** A class name's first two package names ({@code io.netty}), or its package if shorter. */
  private static String root(String className) {
    int first = className.indexOf('.');
    int second = first < 0 ? -1 : className.indexOf('.', first + 1);
    return second < 0 ? className.substring(0, Math.max(first, 0)) : className.substring(0, second);
  }

  /** Prints each report's line; past 100 reports, a count every 1,000. */
  static final class DefaultHandler implements ContextLeakHandler {
    private static final int FULL_REPORTS = 100;
    private final AtomicLong count = new AtomicLong();

    @Override
    public void onContextLeak(ContextLeak leak) {
      long n = count.incrementAndGet();
      if (n <= FULL_REPORTS) {
        System.err.println(leak.message());
        if (n == FULL_REPORTS) {
          System.err.println("[tether] further context leaks are counted, not printed");
        }
      } else if (n % 1000 == 0) {
        System.err.println("[tether] context leaks so far: " + n);
      }
    }
  }
}
