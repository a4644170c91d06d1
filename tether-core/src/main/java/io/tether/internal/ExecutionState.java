package io.tether.internal;

/**
 * Not public API. What one thread is executing: its current {@link Frame}, the async id, trigger id
 * and resource of the continuation it runs, and a stack of what to restore when that continuation
 * ends.
 *
 * <p>Invariants: an instance is confined to its thread (reached only through {@link #current()}),
 * so no field needs synchronisation. Every {@link #enter} is paired with one {@link #exit} in a
 * {@code finally}, which restores all four fields exactly, whatever the continuation did ({@code
 * enterWith}, an exception, an error). The saved-state stack is a pair of growable arrays, so
 * entering and leaving a continuation allocates nothing once the thread has reached its deepest
 * nesting.
 */
public final class ExecutionState {

  /** The resource of the main thread's top level, returned by {@code executionAsyncResource()}. */
  public static final Object TOP_LEVEL =
      new Object() {
        @Override
        public String toString() {
          return "TopLevel";
        }
      };

  private static final ThreadLocal<ExecutionState> STATE =
      ThreadLocal.withInitial(ExecutionState::new);

  /** The current frame; change it only through {@link #setFrame}. */
  public Frame frame = Frame.EMPTY;

  /**
   * Copies of the current frame's first entry, so that {@code AsyncLocalStorage.getStore()} of the
   * first storage reads the thread's state object alone: one dependent load fewer on the hottest
   * path there is.
   */
  public Object key0;

  public Object epoch0;
  public Object value0;
  public long asyncId;
  public long triggerAsyncId;
  public Object resource;

  /** True while this thread runs hook callbacks: async work linked then produces no hook events. */
  boolean inHook;

  /**
   * Nesting of agent-woven linking methods, in {@link Nesting}'s states: only the outermost links.
   */
  int linkDepth;

  /** Nesting of a pool's own thread creation: threads started there link nothing. */
  int suppressDepth;

  /** Nesting of {@code CompletableFuture} stage registration: only the outermost links. */
  int stageDepth;

  /** The link of the future that the stage being registered is about to create. */
  Link pendingFuture;

  /**
   * Whether this thread is an executor's worker, as {@link Diagnostics} found it: {@code 0} not
   * looked at yet, then {@link Diagnostics#POOL} or {@link Diagnostics#NOT_POOL}. A thread's bottom
   * frames never change, so neither does the answer.
   */
  byte poolThread;

  /**
   * The call site ({@link CallSiteIds}) of the application's call this thread is in, while the
   * agent marks call sites for the trace recorder: set around each marked call, {@code 0} outside
   * one or once a callback begins or ends inside it.
   */
  public int site;

  /**
   * The trace recorder's buffer for this thread's events, or a marker of the recorder for a thread
   * that writes into its shared ring (a virtual thread), or {@code null}: kept here so that an
   * event costs the recorder no thread-local lookup besides this state's. One recorder at a time
   * uses it (another recorder running at once keeps its own); the recorder clears it when it
   * closes, the only write from another thread, and harmless: a thread that finds it cleared makes
   * a new buffer.
   */
  public Object recorderSlot;

  private static final int SAVED_REFS = 3;
  private static final int SAVED_IDS = 3;
  private Object[] savedRefs = new Object[SAVED_REFS * 4];
  private long[] savedIds = new long[SAVED_IDS * 4];
  private int depth;

  private ExecutionState() {
    if (isMainThread(Thread.currentThread())) {
      asyncId = 1;
      triggerAsyncId = 0;
      resource = TOP_LEVEL;
    }
  }

  /** This thread's state. */
  public static ExecutionState current() {
    return STATE.get();
  }

  /** The thread the JVM launcher runs {@code main} on (its id differs between JDK releases). */
  private static boolean isMainThread(Thread t) {
    ThreadGroup group = t.getThreadGroup();
    return "main".equals(t.getName())
        && !t.isDaemon()
        && group != null
        && "main".equals(group.getName())
        && group.getParent() != null
        && "system".equals(group.getParent().getName());
  }

  /** Makes {@code f} the current frame. */
  public void setFrame(Frame f) {
    frame = f;
    key0 = f.key0;
    epoch0 = f.epoch0;
    value0 = f.value0;
  }

  /** Makes {@code frame} and the resource current, saving what was current for {@link #exit}. */
  void enter(Frame newFrame, Object newResource, long newAsyncId, long newTriggerAsyncId) {
    int d = depth;
    int r = SAVED_REFS * d;
    int i = SAVED_IDS * d;
    if (r == savedRefs.length) {
      savedRefs = java.util.Arrays.copyOf(savedRefs, r * 2);
      savedIds = java.util.Arrays.copyOf(savedIds, i * 2);
    }
    savedRefs[r] = frame;
    savedRefs[r + 1] = resource;
    savedRefs[r + 2] = pendingFuture;
    savedIds[i] = asyncId;
    savedIds[i + 1] = triggerAsyncId;
    savedIds[i + 2] = ((long) linkDepth << 32) | (stageDepth & 0xffffffffL);
    depth = d + 1;
    setFrame(newFrame);
    resource = newResource;
    asyncId = newAsyncId;
    triggerAsyncId = newTriggerAsyncId;
    // The continuation is application code, even when a JDK method that links work is on the
    // stack below it (a stage function run inline by thenCompose, a task run by CallerRunsPolicy):
    // what it links, it links afresh.
    linkDepth = 0;
    stageDepth = 0;
    pendingFuture = null;
  }

  /** Restores what the matching {@link #enter} saved, and lets go of the references it kept. */
  void exit() {
    int d = --depth;
    int r = SAVED_REFS * d;
    int i = SAVED_IDS * d;
    setFrame((Frame) savedRefs[r]);
    resource = savedRefs[r + 1];
    pendingFuture = (Link) savedRefs[r + 2];
    savedRefs[r] = null;
    savedRefs[r + 1] = null;
    savedRefs[r + 2] = null;
    asyncId = savedIds[i];
    triggerAsyncId = savedIds[i + 1];
    linkDepth = (int) (savedIds[i + 2] >>> 32);
    stageDepth = (int) savedIds[i + 2];
  }

  /** Nesting depth of continuations on this thread; 0 outside any. */
  public int depth() {
    return depth;
  }
}
