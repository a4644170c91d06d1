package io.tether;

import io.tether.internal.Leaks;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The context leak detector: an opt-in mode that reports contexts kept alive longer than a
 * threshold by long-lived holders, the way a listener registered during a request would keep that
 * request's values alive, and show them to every later call, for as long as it stays registered.
 *
 * <pre>{@code
 * ContextLeaks.enable(Duration.ofSeconds(30));   // or -Dtether.leaks=30s, or the agent's leaks=30s
 * REQUEST_ID.run("r-1", () -> scheduler.scheduleAtFixedRate(this::poll, 1, 1, SECONDS));
 * // 30 s later, on System.err:
 * // [tether] context leak: periodic task java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask,
 * //   captured at com.example.Api.handle(Api.java:42), has held AsyncLocalStorage(requestId)=java.lang.String
 * //   for 30s (threshold 30s)
 * }</pre>
 *
 * <p>While on, every capture of a non-empty context by something that can outlive its request is
 * watched, weakly (the detector never keeps a holder or a context alive): a task scheduled to
 * repeat, a thread started, a listener registered (a {@code CompletableFuture} stage, a library's
 * callback, under the agent), an {@link AsyncSnapshot}, a bound function, an {@link AsyncResource}.
 * One still alive and still holding the context after the threshold is reported once, to the {@link
 * ContextLeakHandler} ({@link #setHandler}), and as a JFR event {@code io.tether.Leak} when
 * Tether's JFR events are on ({@code jfr=true}) and a recording runs. Work that ends is never
 * reported: a task that ran, a stage whose future completed, a thread whose run returned, a
 * periodic task cancelled, an {@link AsyncResource} destroyed, a snapshot collected.
 *
 * <p>Cautions:
 *
 * <ul>
 *   <li>A holder that is meant to live long is registered outside any context: with {@code
 *       storage.exit(...)} of every storage set there, or through a snapshot taken at start-up
 *       ({@code STARTUP.run(() -> scheduler.scheduleAtFixedRate(...))}). Then it holds no request's
 *       values, and nothing is reported. There is no allow-list: a holder that keeps a request's
 *       context is a leak even where it was meant.
 *   <li>Objects that only the collector can tell apart from garbage (a snapshot, a bound function,
 *       a stage of a future never completed, a library's listener) are reported only once a garbage
 *       collection has run after they passed the threshold and left them alive, so a process that
 *       does not collect reports them late, never wrongly.
 *   <li>Only captures made while the detector is on are watched; on, it costs a stack walk per
 *       watched capture and an async hook (with destroy) on every resource.
 * </ul>
 */
public final class ContextLeaks {

  private ContextLeaks() {}

  /**
   * Turns the detector on, from now on, with {@code threshold}: a holder is reported when it has
   * held its context longer. Turning it on again replaces the threshold and forgets what it
   * watched.
   *
   * @param threshold how long a holder may hold a context, positive
   * @throws IllegalArgumentException if {@code threshold} is zero or negative
   */
  public static void enable(Duration threshold) {
    Objects.requireNonNull(threshold, "threshold must not be null");
    if (threshold.isNegative() || threshold.isZero()) {
      throw new IllegalArgumentException(
          "the context leak threshold must be positive, got " + threshold);
    }
    Leaks.enable(threshold);
  }

  /** Turns the detector off and forgets what it watched. Idempotent. */
  public static void disable() {
    Leaks.disable();
  }

  /** Whether the detector is on. */
  public static boolean isEnabled() {
    return Leaks.threshold() != null;
  }

  /** The threshold, or {@link Duration#ZERO} when the detector is off. */
  public static Duration threshold() {
    Duration t = Leaks.threshold();
    return t == null ? Duration.ZERO : t;
  }

  /**
   * Looks for leaks now, on this thread, rather than at the detector's next sweep: reports each
   * leak found that was not reported before, and returns them (nothing when the detector is off).
   *
   * @return the leaks reported by this call
   */
  public static List<ContextLeak> check() {
    return Leaks.check(System.nanoTime());
  }

  /**
   * Installs the handler that receives the reports (see {@link ContextLeakHandler} for the
   * default).
   *
   * @param handler the new handler
   * @return the handler it replaces
   */
  public static ContextLeakHandler setHandler(ContextLeakHandler handler) {
    return Leaks.setHandler(Objects.requireNonNull(handler, "handler must not be null"));
  }
}
