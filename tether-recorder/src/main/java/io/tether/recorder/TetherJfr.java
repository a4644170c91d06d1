package io.tether.recorder;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import io.tether.ContextLeak;
import io.tether.internal.Leaks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * Tether's async hook events as JDK Flight Recorder events ({@link JfrFormat}): {@code
 * io.tether.Init}, {@code io.tether.Run} (a duration event from {@code before} to {@code after}),
 * {@code io.tether.PromiseResolve} and {@code io.tether.Destroy}, and the context leak detector's
 * reports as {@code io.tether.Leak} (see {@code io.tether.ContextLeaks}), in the category "Tether",
 * beside the JDK's own events in any recording: one started with {@code -XX:StartFlightRecording},
 * {@code jcmd PID JFR.start} or {@link Recording}.
 *
 * <pre>{@code
 * static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
 *
 * TetherJfr jfr = TetherJfr.enable(REQUEST_ID);  // the agent: jfr=true,jfrContext=requestId
 * }</pre>
 *
 * <p>Each storage given becomes a field of {@code io.tether.Run} named after it, holding its value
 * when the run began; on JDK 25 and later the field is {@code jdk.jfr.Contextual}, so {@code jfr
 * print} shows it on the JDK's events (socket reads, parks, monitor waits...) that the run's thread
 * records meanwhile: {@code Context: Run.requestId = "r-42"}.
 *
 * <p>Cautions:
 *
 * <ul>
 *   <li>The hook is enabled only while some recording is running (a {@link FlightRecorderListener}
 *       follows them), so with no recording Tether costs what it costs without this class; while
 *       one runs, a destroy hook is enabled, which watches every resource created.
 *   <li>A context value shows on the JDK's events recorded inside a continuation (a task, a stage,
 *       a thread's run) that began with it; the code around {@code storage.run(value, ...)} on the
 *       same thread is no continuation of its own, so the value shows on the work it links, not on
 *       its own synchronous part.
 *   <li>A run that spans the start or stop of the last recording is not recorded.
 * </ul>
 *
 * <p>Invariants: {@code Run} events are kept per thread on a stack from {@code before} to {@code
 * after} ({@link RunStack}), which Tether's hooks call properly nested on one thread. A stack left
 * with events whose {@code after} never came (the hook was off meanwhile) is emptied at the next
 * {@code before} of a later generation: the generation counts the times the hook was turned on.
 */
public final class TetherJfr implements AsyncHookCallbacks, AutoCloseable {

  private final AsyncHook hook;
  private final RunEvents runs;
  private final EventType runType;
  private final List<String> contextualFields;
  private final Consumer<ContextLeak> leaks = TetherJfr::leak;
  private final ThreadLocal<RunStack> stacks = ThreadLocal.withInitial(RunStack::new);
  private final FlightRecorderListener listener =
      new FlightRecorderListener() {
        @Override
        public void recordingStateChanged(Recording recording) {
          changed(recording.getId(), recording.getState() == RecordingState.RUNNING);
        }
      };

  /** Recordings running now, by id; guarded by this. */
  private final Set<Long> running = new HashSet<>();

  private volatile int generation;
  private boolean hookOn;
  private boolean closed;

  private TetherJfr(RunEvents runs, List<String> contextualFields) {
    this.runs = runs;
    this.runType = runs.type;
    this.contextualFields = contextualFields;
    this.hook = AsyncHooks.createHook(this);
  }

  /**
   * Registers Tether's events with the Flight Recorder and emits them whenever a recording is
   * running, until {@link #close()}. The values of {@code contextual} (each named: the name names
   * the field) become fields of {@code io.tether.Run}, contextual on JDK 25 and later.
   *
   * @throws IllegalArgumentException if a storage has no name, or two would share a field
   */
  public static TetherJfr enable(AsyncLocalStorage<?>... contextual) {
    List<AsyncLocalStorage<?>> storages = new ArrayList<>();
    for (AsyncLocalStorage<?> s : Objects.requireNonNull(contextual, "contextual")) {
      storages.add(Objects.requireNonNull(s, "contextual storage must not be null"));
    }
    List<String> names = new ArrayList<>();
    for (AsyncLocalStorage<?> s : storages) {
      names.add(s.name());
    }
    RunEvents runs = storages.isEmpty() ? RunEvents.plain() : RunEvents.ofStorages(storages);
    return start(runs, names);
  }

  /**
   * As {@link #enable(AsyncLocalStorage[])}, with the contextual storages named rather than given:
   * each field holds the value of the storage of that name in the running context (the agent's
   * {@code jfrContext=NAME;NAME}). For storages the caller cannot reach.
   *
   * @throws IllegalArgumentException if a name is empty, or two would share a field
   */
  public static TetherJfr enableNamed(String... storageNames) {
    List<String> names = new ArrayList<>();
    for (String n : Objects.requireNonNull(storageNames, "storageNames")) {
      names.add(Objects.requireNonNull(n, "storage name must not be null"));
    }
    RunEvents runs = names.isEmpty() ? RunEvents.plain() : RunEvents.ofNames(names);
    return start(runs, names);
  }

  /** Whether this JDK has contextual fields ({@code jdk.jfr.Contextual}, JDK 25 and later). */
  public static boolean contextualSupported() {
    return RunEvents.CONTEXTUAL != null;
  }

  private static TetherJfr start(RunEvents runs, List<String> names) {
    List<String> fields = new ArrayList<>();
    for (String n : names) {
      fields.add(RunEvents.fieldName(n));
    }
    FlightRecorder.register(JfrEvents.Init.class);
    FlightRecorder.register(JfrEvents.PromiseResolve.class);
    FlightRecorder.register(JfrEvents.Destroy.class);
    // Never unregistered: on JDK 17, a recording taken after it was unregistered and registered
    // again could not be read ("Type ... is not defined" for one of its annotations). Registered,
    // with no recording taking it, it costs nothing.
    FlightRecorder.register(JfrEvents.Leak.class);
    TetherJfr jfr = new TetherJfr(runs, List.copyOf(fields));
    Leaks.addObserver(jfr.leaks);
    FlightRecorder.addListener(jfr.listener);
    if (FlightRecorder.isInitialized()) { // else no recording can be running yet
      for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
        jfr.changed(r.getId(), r.getState() == RecordingState.RUNNING);
      }
    }
    return jfr;
  }

  /** The names of {@code io.tether.Run}'s contextual fields, in order after {@code asyncId}. */
  public List<String> contextualFields() {
    return contextualFields;
  }

  private synchronized void changed(long recording, boolean isRunning) {
    if (closed) {
      return;
    }
    if (isRunning) {
      running.add(recording);
    } else {
      running.remove(recording);
    }
    boolean on = !running.isEmpty();
    if (on && !hookOn) {
      generation++;
      hook.enable();
    } else if (!on && hookOn) {
      hook.disable();
    }
    hookOn = on;
  }

  // ---------------------------------------------------------------------------------------------
  // The hook: on the application's threads, only while a recording is running.

  @Override
  public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
    JfrEvents.Init e = new JfrEvents.Init();
    if (e.isEnabled()) {
      e.asyncId = asyncId;
      e.triggerAsyncId = triggerAsyncId;
      e.type = type;
      e.resourceClass = resource == null ? null : resource.getClass();
      int site = io.tether.internal.ExecutionState.current().site;
      if (site != 0) {
        e.callSite = io.tether.internal.CallSiteIds.describe(site);
      }
      e.commit();
    }
  }

  @Override
  public void before(long asyncId) {
    // A callback run inside a numbered call (an executor that runs tasks inline) is not that call.
    io.tether.internal.ExecutionState.current().site = 0;
    if (runType.isEnabled()) {
      RunStack stack = stacks.get();
      stack.push(generation, asyncId, runs.begin(asyncId));
    }
  }

  @Override
  public void after(long asyncId) {
    io.tether.internal.ExecutionState.current().site = 0;
    Event e = stacks.get().pop(generation, asyncId);
    if (e != null) {
      e.commit();
    }
  }

  @Override
  public void promiseResolve(long asyncId) {
    JfrEvents.PromiseResolve e = new JfrEvents.PromiseResolve();
    if (e.isEnabled()) {
      e.asyncId = asyncId;
      e.commit();
    }
  }

  @Override
  public void destroy(long asyncId) {
    JfrEvents.Destroy e = new JfrEvents.Destroy();
    if (e.isEnabled()) {
      e.asyncId = asyncId;
      e.commit();
    }
  }

  /**
   * A report of the context leak detector, as an {@code io.tether.Leak} event if a recording takes
   * it; on the detector's thread, with or without the hook on.
   */
  private static void leak(ContextLeak leak) {
    JfrEvents.Leak e = new JfrEvents.Leak();
    if (e.isEnabled()) {
      e.asyncId = leak.asyncId();
      e.holder = leak.holder().words();
      e.holderClass = leak.holderClass();
      e.holderDetail = leak.holderDetail();
      e.callSite = leak.callSite();
      StringBuilder held = new StringBuilder();
      leak.held()
          .forEach(
              (storage, type) ->
                  held.append(held.length() == 0 ? "" : ", ")
                      .append(storage)
                      .append('=')
                      .append(type));
      e.held = held.toString();
      e.heldFor = leak.heldFor().toMillis();
      e.commit();
    }
  }

  /**
   * Stops emitting events and unregisters them (recordings started later do not list them), but for
   * {@code io.tether.Leak} and an {@code io.tether.Run} type with storages' fields, which stay
   * registered, empty, for the next {@code TetherJfr} (see {@code RunEvents}: on JDK 17, a type
   * unregistered and registered again left later recordings unreadable). Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      hook.disable();
      hookOn = false;
    }
    FlightRecorder.removeListener(listener); // outside the lock: JFR calls the listener in its own
    FlightRecorder.unregister(JfrEvents.Init.class);
    FlightRecorder.unregister(JfrEvents.PromiseResolve.class);
    FlightRecorder.unregister(JfrEvents.Destroy.class);
    Leaks.removeObserver(leaks);
    runs.unregister();
  }

  /** One thread's {@code Run} events in progress, innermost last, with their async ids. */
  private static final class RunStack {
    private Event[] events = new Event[8];
    private long[] ids = new long[8];
    private int depth;
    private int generation;

    void push(int currentGeneration, long asyncId, Event e) {
      if (generation != currentGeneration) {
        Arrays.fill(events, 0, depth, null);
        depth = 0;
        generation = currentGeneration;
      }
      if (depth == events.length) {
        events = Arrays.copyOf(events, depth * 2);
        ids = Arrays.copyOf(ids, depth * 2);
      }
      events[depth] = e;
      ids[depth] = asyncId;
      depth++;
    }

    /**
     * The event of {@code asyncId}, taken off with any above it (runs whose {@code after} did not
     * come), or {@code null} if its run was not recorded.
     */
    Event pop(int currentGeneration, long asyncId) {
      if (generation != currentGeneration) {
        return null; // pushed before the hook was last turned on: emptied at the next push
      }
      for (int i = depth - 1; i >= 0; i--) {
        if (ids[i] == asyncId) {
          Event e = events[i];
          Arrays.fill(events, i, depth, null);
          depth = i;
          return e;
        }
      }
      return null;
    }
  }
}
