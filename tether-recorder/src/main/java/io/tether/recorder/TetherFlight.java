package io.tether.recorder;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.ParseException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The flight recorder: a JDK Flight Recorder recording of Tether's events ({@link TetherJfr}) and
 * the JDK's own, that keeps only the recent past (JFR's repository, bounded by age and size) and
 * writes it to a {@code .jfr} file when asked: by {@link #dump}, by the JMX operation {@code
 * io.tether:type=FlightRecorder}'s {@code dump} (which {@code tether dump PID} calls), when a root
 * of work takes longer than a threshold, and on an uncaught exception. Every tool reads the file:
 * {@code tether report}, JDK Mission Control, {@code jfr print}.
 *
 * <pre>{@code
 * TetherFlight flight = TetherFlight.start(new TetherFlight.Options()
 *     .maxAge(Duration.ofMinutes(2))
 *     .slowRoots("requestId", Duration.ofSeconds(2)));   // the agent: flight=2m,flightRoot=...
 * Path file = flight.dump("asked");
 * }</pre>
 *
 * <p>A <em>root of work</em> is what one value of a chosen storage (a request id) covers: it begins
 * with the first async resource made while the storage has that value and ends when the last of
 * those resources is destroyed. A root that ends after longer than the threshold, or is still
 * running after it, is dumped once. Automatic dumps are at most one per {@link Options#minInterval}
 * (10 s by default), on the flight recorder's own thread, never on the application's; an uncaught
 * exception's dump is written on the dying thread before the exception goes on to the handler that
 * was there before.
 *
 * <p>Invariants: the roots in flight are those with resources not yet destroyed, and hold no more
 * than the value and a count; the recording, the MBean and the default uncaught exception handler
 * are undone by {@link #close()}. The recording's Tether events have no stack traces unless {@link
 * Options#stackTraces} asks for them: the stack walk is most of what a recorded event costs.
 */
public final class TetherFlight implements TetherFlightMBean, AutoCloseable {

  /** The name of the JFR recording ({@code jcmd PID JFR.dump name=tether-flight ...}). */
  public static final String RECORDING_NAME = "tether-flight";

  /** The MBean's name. */
  public static final String MBEAN_NAME = "io.tether:type=FlightRecorder";

  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  /** What a flight recording keeps and when it is dumped. */
  public static final class Options {
    private Duration maxAge = Duration.ofMinutes(5);
    private long maxBytes = 250L * 1024 * 1024;
    private Path directory = Path.of("");
    private String rootStorage;
    private List<String> context = List.of();
    private Duration slowThreshold;
    private boolean onUncaught = true;
    private boolean stackTraces;
    private Duration minInterval = Duration.ofSeconds(10);
    private LongSupplier nanoClock = System::nanoTime;
    private Consumer<Path> onDump = path -> {};

    /**
     * How far back the recording reaches (5 minutes by default).
     *
     * @param age a positive duration
     * @return these options
     */
    public Options maxAge(Duration age) {
      this.maxAge = positive(age, "maxAge");
      return this;
    }

    /**
     * How many bytes the recording keeps at most (250 MB by default).
     *
     * @param bytes a positive number
     * @return these options
     */
    public Options maxBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxBytes must be positive, was " + bytes);
      }
      this.maxBytes = bytes;
      return this;
    }

    /**
     * Where dumps go that are not given a file (the working directory by default).
     *
     * @param dir a folder
     * @return these options
     */
    public Options directory(Path dir) {
      this.directory = Objects.requireNonNull(dir, "directory");
      return this;
    }

    /**
     * Dumps when a root of work of the storage of this name takes longer than {@code threshold}.
     *
     * @param storageName the name of the {@link AsyncLocalStorage} whose values identify requests
     * @param threshold a positive duration
     * @return these options
     */
    public Options slowRoots(String storageName, Duration threshold) {
      if (Objects.requireNonNull(storageName, "storageName").isEmpty()) {
        throw new IllegalArgumentException("the root storage's name must not be empty");
      }
      this.rootStorage = storageName;
      this.slowThreshold = positive(threshold, "threshold");
      return this;
    }

    /**
     * The storages, by name, whose values go on {@code io.tether.Run} events (as {@link
     * TetherJfr#enableNamed}); the slow roots' storage is always one of them.
     *
     * @param storageNames names of {@link AsyncLocalStorage}s
     * @return these options
     */
    public Options context(List<String> storageNames) {
      this.context = List.copyOf(storageNames);
      return this;
    }

    /**
     * Whether an uncaught exception dumps (on by default).
     *
     * @param on whether it does
     * @return these options
     */
    public Options onUncaughtException(boolean on) {
      this.onUncaught = on;
      return this;
    }

    /**
     * Whether {@code io.tether.Init} events carry the stack of their call site (off by default: it
     * is most of an event's cost).
     *
     * @param on whether they do
     * @return these options
     */
    public Options stackTraces(boolean on) {
      this.stackTraces = on;
      return this;
    }

    /**
     * The least time between two automatic dumps (10 s by default; zero for none).
     *
     * @param interval a duration, zero or positive
     * @return these options
     */
    public Options minInterval(Duration interval) {
      if (Objects.requireNonNull(interval, "minInterval").isNegative()) {
        throw new IllegalArgumentException("minInterval must not be negative, was " + interval);
      }
      this.minInterval = interval;
      return this;
    }

    /** For tests: the clock of roots' durations and of the interval between dumps. */
    Options clock(LongSupplier nanos) {
      this.nanoClock = Objects.requireNonNull(nanos);
      return this;
    }

    /** For tests: called with each file written. */
    Options onDump(Consumer<Path> listener) {
      this.onDump = Objects.requireNonNull(listener);
      return this;
    }

    private static Duration positive(Duration d, String what) {
      if (Objects.requireNonNull(d, what).isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + d);
      }
      return d;
    }
  }

  /** The resources of one root of work in flight. */
  private static final class Root {
    final Object value;
    final long start;
    int pending; // guarded by this
    boolean reported; // guarded by this

    Root(Object value, long start) {
      this.value = value;
      this.start = start;
    }
  }

  private final Options options;
  private final TetherJfr jfr;
  private final Recording recording;
  private final AsyncHook rootHook;
  private final Map<Object, Root> roots = new ConcurrentHashMap<>();
  private final Map<Long, Root> resources = new ConcurrentHashMap<>();
  private final ArrayDeque<String> requests = new ArrayDeque<>(); // guarded by itself
  private final Thread dumper;
  private final Thread.UncaughtExceptionHandler previousHandler;
  private final boolean handlerInstalled;
  private final ObjectName mbean;
  private volatile boolean closed;
  private long lastAutomaticDump = Long.MIN_VALUE; // guarded by requests

  private TetherFlight(Options options) throws IOException, ParseException {
    this.options = options;
    this.jfr = TetherJfr.enableNamed(contextNames(options));
    Recording r = new Recording(Configuration.getConfiguration("default"));
    r.setName(RECORDING_NAME);
    r.setToDisk(true);
    r.setMaxAge(options.maxAge);
    r.setMaxSize(options.maxBytes);
    r.enable(JfrFormat.INIT).withThreshold(Duration.ZERO);
    if (options.stackTraces) {
      r.enable(JfrFormat.INIT).withStackTrace();
    } else {
      r.enable(JfrFormat.INIT).withoutStackTrace();
    }
    r.enable(JfrFormat.RUN).withThreshold(Duration.ZERO);
    r.enable(JfrFormat.PROMISE_RESOLVE);
    r.enable(JfrFormat.DESTROY);
    this.recording = r;
    if (options.rootStorage != null) {
      rootHook = AsyncHooks.createHook(new RootWatch());
    } else {
      rootHook = null;
    }
    this.dumper = new Thread(this::dumpLoop, "tether-flight");
    dumper.setDaemon(true);
    if (options.onUncaught) {
      previousHandler = Thread.getDefaultUncaughtExceptionHandler();
      handlerInstalled = true;
    } else {
      previousHandler = null;
      handlerInstalled = false;
    }
    this.mbean = objectName();
  }

  /**
   * Starts a flight recording.
   *
   * @param options what it keeps and when it dumps
   * @return the running flight recorder
   * @throws IllegalStateException if one is running already in this JVM (its MBean is registered)
   */
  public static TetherFlight start(Options options) {
    TetherFlight flight;
    try {
      flight = new TetherFlight(Objects.requireNonNull(options, "options"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ParseException e) {
      throw new IllegalStateException("the JDK's default JFR settings cannot be read: " + e, e);
    }
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      server.registerMBean(flight, flight.mbean);
    } catch (InstanceAlreadyExistsException e) {
      flight.jfr.close();
      throw new IllegalStateException(
          "a Tether flight recording runs already in this JVM (" + MBEAN_NAME + " is registered)");
    } catch (JMException e) {
      flight.jfr.close();
      throw new IllegalStateException("cannot register " + MBEAN_NAME + ": " + e, e);
    }
    flight.recording.start();
    if (flight.rootHook != null) {
      flight.rootHook.enable();
    }
    flight.dumper.start();
    if (flight.handlerInstalled) {
      Thread.setDefaultUncaughtExceptionHandler(flight::uncaught);
    }
    return flight;
  }

  private static String[] contextNames(Options options) {
    LinkedHashSet<String> names = new LinkedHashSet<>(options.context);
    if (options.rootStorage != null) {
      names.add(options.rootStorage);
    }
    return names.toArray(new String[0]);
  }

  private static ObjectName objectName() {
    try {
      return new ObjectName(MBEAN_NAME);
    } catch (JMException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes what the recording holds now to a new file in the dump folder, named {@code
   * tether-flight-PID-TIME-REASON.jfr}.
   *
   * @param reason a word or two for the file's name ({@code asked}, {@code slow}, {@code uncaught})
   * @return the file written
   * @throws IOException if it cannot be written
   */
  public Path dump(String reason) throws IOException {
    String slug = reason.replaceAll("[^A-Za-z0-9-]+", "-");
    String name =
        "tether-flight-"
            + ProcessHandle.current().pid()
            + "-"
            + LocalDateTime.now().format(FILE_TIME)
            + "-"
            + slug
            + ".jfr";
    return dumpTo(options.directory.resolve(name));
  }

  /**
   * Writes what the recording holds now to {@code file}.
   *
   * @param file the file to write (replaced if it exists)
   * @return the file
   * @throws IOException if it cannot be written
   * @throws IllegalStateException if the recording was closed
   */
  public Path dumpTo(Path file) throws IOException {
    if (closed) {
      throw new IllegalStateException("the flight recording was closed");
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new IOException("no such folder: " + parent);
    }
    // Written beside it, then moved into place: whoever watches the folder never reads half a file.
    Path part = file.resolveSibling(file.getFileName() + ".part");
    recording.dump(part);
    try {
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
    }
    options.onDump.accept(file);
    return file;
  }

  @Override
  public String dump() throws IOException {
    return dump("asked").toAbsolutePath().toString();
  }

  @Override
  public String dumpToFile(String path) throws IOException {
    return dumpTo(Path.of(path)).toAbsolutePath().toString();
  }

  @Override
  public long getMaxAgeSeconds() {
    return options.maxAge.toSeconds();
  }

  @Override
  public int getRootsInFlight() {
    return roots.size();
  }

  /**
   * Looks for roots of work that have run longer than the threshold and are not over yet (the
   * flight recorder's thread does it every half threshold); each is dumped once.
   */
  void checkRunningRoots() {
    if (options.slowThreshold == null) {
      return;
    }
    long now = options.nanoClock.getAsLong();
    long threshold = options.slowThreshold.toNanos();
    for (Iterator<Root> it = roots.values().iterator(); it.hasNext(); ) {
      Root root = it.next();
      synchronized (root) {
        if (root.reported || now - root.start <= threshold) {
          continue;
        }
        root.reported = true;
      }
      requestAutomaticDump(
          "slow",
          options.rootStorage
              + "="
              + root.value
              + " still running after "
              + millis(now - root.start)
              + " ms");
    }
  }

  private void uncaught(Thread thread, Throwable error) {
    try {
      if (!closed) {
        Path file = dump("uncaught");
        System.err.println(
            "tether: flight recording written to "
                + file
                + " (uncaught "
                + error.getClass().getName()
                + " in thread \""
                + thread.getName()
                + "\")");
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("tether: the flight recording could not be written: " + e);
    }
    if (previousHandler != null) {
      previousHandler.uncaughtException(thread, error);
    } else { // what the JVM prints without a handler (the thread group's would call this one)
      System.err.print("Exception in thread \"" + thread.getName() + "\" ");
      error.printStackTrace(System.err);
    }
  }

  private void requestAutomaticDump(String reason, String why) {
    synchronized (requests) {
      long now = options.nanoClock.getAsLong();
      if (lastAutomaticDump != Long.MIN_VALUE
          && now - lastAutomaticDump < options.minInterval.toNanos()) {
        return;
      }
      lastAutomaticDump = now;
      requests.add(reason + "\n" + why);
      requests.notifyAll();
    }
  }

  private void dumpLoop() {
    long period =
        options.slowThreshold == null ? 0 : Math.max(1, options.slowThreshold.toMillis() / 2);
    while (!closed) {
      String request;
      synchronized (requests) {
        if (requests.isEmpty()) {
          try {
            requests.wait(period);
          } catch (InterruptedException e) {
            return;
          }
        }
        request = requests.poll();
      }
      if (request != null) {
        int nl = request.indexOf('\n');
        try {
          Path file = dump(request.substring(0, nl));
          System.err.println(
              "tether: flight recording written to "
                  + file
                  + " ("
                  + request.substring(nl + 1)
                  + ")");
        } catch (IOException | RuntimeException e) {
          if (!closed) {
            System.err.println("tether: the flight recording could not be written: " + e);
          }
        }
      } else if (period > 0) {
        checkRunningRoots();
      }
    }
  }

  private static long millis(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }

  /** Stops the recording and undoes what {@link #start} set up. Idempotent. */
  @Override
  public void close() {
    synchronized (requests) {
      if (closed) {
        return;
      }
      closed = true;
      requests.notifyAll();
    }
    if (rootHook != null) {
      rootHook.disable();
    }
    if (handlerInstalled) {
      Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbean);
    } catch (JMException e) {
      // not registered: nothing to undo
    }
    recording.close();
    jfr.close();
    roots.clear();
    resources.clear();
    if (Thread.currentThread() != dumper) {
      try {
        dumper.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The hook that follows roots of work: which resources each value of the storage covers. */
  private final class RootWatch implements AsyncHookCallbacks {

    @Override
    public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
      Object value = rootValue();
      if (value == null) {
        return;
      }
      Root root = roots.computeIfAbsent(value, v -> new Root(v, options.nanoClock.getAsLong()));
      synchronized (root) {
        root.pending++;
      }
      resources.put(asyncId, root);
    }

    @Override
    public void destroy(long asyncId) {
      Root root = resources.remove(asyncId);
      if (root == null) {
        return;
      }
      boolean over;
      boolean report;
      long took;
      synchronized (root) {
        over = --root.pending == 0;
        took = options.nanoClock.getAsLong() - root.start;
        report = over && !root.reported && took > options.slowThreshold.toNanos();
        if (report) {
          root.reported = true;
        }
      }
      if (over) {
        roots.remove(root.value, root);
      }
      if (report) {
        requestAutomaticDump(
            "slow", options.rootStorage + "=" + root.value + " took " + millis(took) + " ms");
      }
    }

    private Object rootValue() {
      return RunEvents.namedValue(options.rootStorage);
    }
  }
}
