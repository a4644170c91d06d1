package io.tether;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A context kept alive by a long-lived holder for longer than the leak detector's threshold (see
 * {@link ContextLeaks}): which holder, where it captured the context, which storages' values it
 * holds (by their values' types: the values themselves may be secrets, and never leave the process
 * through a report) and for how long.
 *
 * <pre>{@code
 * ContextLeaks.setHandler(leak -> log.warn("{} (storages {})", leak.message(), leak.held().keySet()));
 * }</pre>
 */
public final class ContextLeak {

  /** What kind of object holds the context. */
  public enum Holder {
    /**
     * A task scheduled to repeat (at a fixed rate or with a fixed delay, on a scheduled pool or a
     * {@code java.util.Timer}) while the context was current: every run, forever, sees it.
     */
    PERIODIC_TASK("periodic task"),
    /** A thread started while the context was current, still running. */
    THREAD("thread"),
    /**
     * A listener registered while the context was current and not yet called or released: a
     * function bound with {@code bind} (kept in a listener list, say), a dependent stage of a
     * {@code CompletableFuture} that has not completed, or a callback handed to a library (a Netty
     * listener, a gRPC call listener).
     */
    LISTENER("listener"),
    /**
     * An object that captured the context to run code in it later: an {@link AsyncSnapshot}, an
     * {@link AsyncResource} not destroyed.
     */
    SNAPSHOT("snapshot");

    private final String words;

    Holder(String words) {
      this.words = words;
    }

    /** The kind in words, as the one-line message has it ({@code "periodic task"}). */
    public String words() {
      return words;
    }
  }

  private final Holder holder;
  private final String holderClass;
  private final String holderDetail;
  private final String callSite;
  private final Map<String, String> held;
  private final Duration heldFor;
  private final Duration threshold;
  private final long asyncId;

  /**
   * A report, as the detector makes it (public so that a handler can be tested with one).
   *
   * @param holder the kind of holder
   * @param holderClass the holder's class name
   * @param holderDetail more about the holder (a thread's name, what a listener was registered
   *     with), or {@code ""}
   * @param callSite where the context was captured: the application's frame, as a stack trace line
   *     ({@code com.example.Api.handle(Api.java:42)}), or {@code ""} if none was found
   * @param held each storage held (its name, or its identity when it has none) and the type of the
   *     value it holds there, in the order the storages were first set
   * @param heldFor how long the holder has held the context
   * @param threshold the detector's threshold when it reported
   * @param asyncId the async id of the resource that captured the context
   */
  public ContextLeak(
      Holder holder,
      String holderClass,
      String holderDetail,
      String callSite,
      Map<String, String> held,
      Duration heldFor,
      Duration threshold,
      long asyncId) {
    this.holder = Objects.requireNonNull(holder, "holder must not be null");
    this.holderClass = Objects.requireNonNull(holderClass, "holderClass must not be null");
    this.holderDetail = Objects.requireNonNull(holderDetail, "holderDetail must not be null");
    this.callSite = Objects.requireNonNull(callSite, "callSite must not be null");
    this.held =
        Collections.unmodifiableMap(
            new LinkedHashMap<>(Objects.requireNonNull(held, "held must not be null")));
    this.heldFor = Objects.requireNonNull(heldFor, "heldFor must not be null");
    this.threshold = Objects.requireNonNull(threshold, "threshold must not be null");
    this.asyncId = asyncId;
  }

  /** The kind of holder. */
  public Holder holder() {
    return holder;
  }

  /**
   * The holder's class name: the thread's, the task's, the snapshot's, the listener's registrar.
   */
  public String holderClass() {
    return holderClass;
  }

  /**
   * More about the holder (a thread's name, what a listener was registered with), or {@code ""}.
   */
  public String holderDetail() {
    return holderDetail;
  }

  /** Where the context was captured (a stack trace line of the application), or {@code ""}. */
  public String callSite() {
    return callSite;
  }

  /** Each storage held, by name (identity when unnamed), to the type of its value there. */
  public Map<String, String> held() {
    return held;
  }

  /** How long the holder had held the context when it was reported. */
  public Duration heldFor() {
    return heldFor;
  }

  /** The threshold the detector ran with. */
  public Duration threshold() {
    return threshold;
  }

  /** The async id of the resource that captured the context (as hooks and traces name it). */
  public long asyncId() {
    return asyncId;
  }

  /**
   * The report in one line: {@code [tether] context leak: periodic task
   * java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask, captured at
   * com.example.Api.handle(Api.java:42), has held AsyncLocalStorage(requestId)=java.lang.String for
   * 31s (threshold 30s)}.
   */
  public String message() {
    StringBuilder b =
        new StringBuilder("[tether] context leak: ").append(holder.words()).append(' ');
    b.append(holderClass);
    if (!holderDetail.isEmpty()) {
      b.append(" (").append(holderDetail).append(')');
    }
    b.append(", captured at ").append(callSite.isEmpty() ? "an unknown site" : callSite);
    b.append(", has held ");
    String sep = "";
    for (Map.Entry<String, String> e : held.entrySet()) {
      b.append(sep).append(e.getKey()).append('=').append(e.getValue());
      sep = ", ";
    }
    return b.append(" for ")
        .append(words(heldFor))
        .append(" (threshold ")
        .append(words(threshold))
        .append(')')
        .toString();
  }

  /** A duration as the option takes it: {@code 250ms}, {@code 31s}. */
  static String words(Duration d) {
    return d.compareTo(Duration.ofSeconds(10)) < 0 && d.toMillis() % 1000 != 0
        ? d.toMillis() + "ms"
        : d.getSeconds() + "s";
  }

  @Override
  public String toString() {
    return message();
  }
}
