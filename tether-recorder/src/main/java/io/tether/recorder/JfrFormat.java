package io.tether.recorder;

/**
 * Tether's events in a JDK Flight Recorder recording: their names and fields, which {@link
 * TetherJfr} writes and the tools ({@code tether-trace}) read. All are in the category {@value
 * #CATEGORY}, and every async id or trigger id field is annotated {@link AsyncId}, which is {@code
 * jdk.jfr.Relational}, so that JFR tools can relate events by it.
 *
 * <pre>
 * io.tether.Init            asyncId, triggerAsyncId, type, resourceClass, callSite (the call the
 *                           agent numbered, or empty); the linking stack
 * io.tether.Run             asyncId, then one field per contextual storage; a duration event from
 *                           before to after, on the thread that ran the continuation
 * io.tether.PromiseResolve  asyncId
 * io.tether.Destroy         asyncId
 * io.tether.Leak            asyncId, holder, holderClass, holderDetail, callSite, held, heldFor:
 *                           a context leak the detector reported (see io.tether.ContextLeaks)
 * </pre>
 *
 * <p>Public for the tools that read recordings: this class is the format, as {@link TraceFormat} is
 * for Tether's own trace files.
 */
public final class JfrFormat {

  /** The category of Tether's events. */
  public static final String CATEGORY = "Tether";

  /** A resource was created: Tether's {@code init}. */
  public static final String INIT = "io.tether.Init";

  /** A run of a continuation, from {@code before} to {@code after}. */
  public static final String RUN = "io.tether.Run";

  /** A {@code CompletableFuture} was completed: Tether's {@code promiseResolve}. */
  public static final String PROMISE_RESOLVE = "io.tether.PromiseResolve";

  /** A resource ended: Tether's {@code destroy}. */
  public static final String DESTROY = "io.tether.Destroy";

  /** A context kept alive past the leak detector's threshold: {@code io.tether.ContextLeak}. */
  public static final String LEAK = "io.tether.Leak";

  /** Field of {@link #LEAK}: the kind of holder, in words ({@code periodic task}). */
  public static final String HOLDER = "holder";

  /** Field of {@link #LEAK}: the holder's class name. */
  public static final String HOLDER_CLASS = "holderClass";

  /** Field of {@link #LEAK}: more about the holder (a thread's name), or empty. */
  public static final String HOLDER_DETAIL = "holderDetail";

  /** Field of {@link #LEAK}: where the context was captured, a stack trace line. */
  public static final String CALL_SITE = "callSite";

  /** Field of {@link #LEAK}: the storages held and their values' types, {@code name=Type, ...}. */
  public static final String HELD = "held";

  /** Field of {@link #LEAK}: how long the context had been held, in milliseconds. */
  public static final String HELD_FOR = "heldFor";

  /** The name of the {@link AsyncId} annotation in recordings. */
  public static final String ASYNC_ID_ANNOTATION = "io.tether.AsyncId";

  /** Field: the resource's async id (every event). */
  public static final String ASYNC_ID = "asyncId";

  /** Field of {@link #INIT}: the async id of the resource that caused this one. */
  public static final String TRIGGER_ASYNC_ID = "triggerAsyncId";

  /** Field of {@link #INIT}: the resource type, such as {@code EXECUTOR_TASK}. */
  public static final String TYPE = "type";

  /** Field of {@link #INIT}: the class of the resource object. */
  public static final String RESOURCE_CLASS = "resourceClass";

  /** A recording file's first bytes ("FLR" and a zero byte); {@link #magic()} hands out copies. */
  private static final byte[] MAGIC = {'F', 'L', 'R', 0};

  private JfrFormat() {}

  /** A recording file's first bytes: a copy. */
  public static byte[] magic() {
    return MAGIC.clone();
  }
}
