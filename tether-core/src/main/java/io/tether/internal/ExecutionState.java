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
 *
 * <p>Cost: a thread's state lives long, so the collector counts it old, and under G1 every store of
 * a reference into an old object from another region pays a memory fence (the post-write barrier's
 * StoreLoad, some tens of cycles: measured, it was most of a snapshot run's time). The hot paths
 * therefore store as few references here as they can: a frame that is already current is not stored
 * again, {@link #enterKeeping} leaves the caller's frame and resource in the caller's locals
 * instead of the saved-state stack, and reading a storage copies nothing here.
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

  /** The chunk this thread's destroy watches go in ({@link DestroyWatch#watch}); null until one. */
  DestroyWatch.Chunk watchChunk;

  /**
   * The async ids this thread hands out next: {@code nextId} up to {@code idEnd} (exclusive), a
   * block taken from the global counter, {@code idBlock} ids long the next time.
   */
  private long nextId;

  private long idEnd;
  private int idBlock = FIRST_ID_BLOCK;

  /**
   * A thread's first block of ids is small, as most threads link little (a virtual thread per
   * request); each next one is twice as long, up to {@link #MAX_ID_BLOCK}.
   */
  private static final int FIRST_ID_BLOCK = 8;

  private static final int MAX_ID_BLOCK = 1024;

  /** A number that tells threads apart (consecutive as states are made), for striping. */
  final int stripe = STRIPES.getAndIncrement();

  private static final java.util.concurrent.atomic.AtomicInteger STRIPES =
      new java.util.concurrent.atomic.AtomicInteger();

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

  /**
   * A new async id, never handed out before on any thread. Ids of one thread increase in the order
   * they are drawn; ids of different threads interleave in blocks (Node has one thread per id
   * space: a worker's ids are its own).
   */
  long newAsyncId() {
    long id = nextId;
    if (id == idEnd) {
      return newIdBlock();
    }
    nextId = id + 1;
    return id;
  }

  private long newIdBlock() {
    int n = idBlock;
    if (n < MAX_ID_BLOCK) {
      idBlock = n * 2;
    }
    long id = ResourceCore.NEXT_ID.getAndAdd(n);
    nextId = id + 1;
    idEnd = id + n;
    return id;
  }

  /** Makes {@code f} the current frame (no store when it already is: see the class comment). */
  public void setFrame(Frame f) {
    if (frame != f) {
      frame = f;
    }
  }

  /**
   * Makes {@code frame} and the resource current, saving what was current for {@link #exit}: for
   * callers that cannot keep it themselves (the agent's advice, whose enter and exit are separate
   * calls).
   */
  void enter(Frame newFrame, Object newResource, long newAsyncId, long newTriggerAsyncId) {
    int r = SAVED_REFS * depth;
    if (r >= savedRefs.length) { // the keeping callers' levels took no slots: r may lie beyond
      savedRefs = java.util.Arrays.copyOf(savedRefs, 2 * (r + SAVED_REFS));
    }
    savedRefs[r] = frame;
    savedRefs[r + 1] = resource;
    Link pending = pendingFuture;
    if (pending != null) {
      savedRefs[r + 2] = pending;
    }
    enterKeeping(newFrame, newResource, newAsyncId, newTriggerAsyncId);
  }

  /** Restores what the matching {@link #enter} saved, and lets go of the references it kept. */
  void exit() {
    int r = SAVED_REFS * (depth - 1);
    Object[] saved = savedRefs;
    Frame f = (Frame) saved[r];
    Object res = saved[r + 1];
    Link pending = (Link) saved[r + 2];
    saved[r] = null;
    saved[r + 1] = null;
    if (pending != null) {
      saved[r + 2] = null;
    }
    leave(f, res, pending);
  }

  /**
   * Makes {@code frame} and the resource current; the caller has read {@link #frame}, {@link
   * #resource} and {@link #pendingFuture} first and hands them back to {@link #leave} in a {@code
   * finally}. The ids and nesting counters are saved here (primitives cost no barrier).
   */
  void enterKeeping(Frame newFrame, Object newResource, long newAsyncId, long newTriggerAsyncId) {
    int d = depth;
    int i = SAVED_IDS * d;
    if (i == savedIds.length) {
      savedIds = java.util.Arrays.copyOf(savedIds, i * 2);
    }
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
    if (pendingFuture != null) {
      pendingFuture = null;
    }
  }

  /** Restores what the matching {@link #enterKeeping} found, handed back by its caller. */
  void leave(Frame oldFrame, Object oldResource, Link oldPendingFuture) {
    int i = SAVED_IDS * --depth;
    setFrame(oldFrame);
    if (resource != oldResource) {
      resource = oldResource;
    }
    if (pendingFuture != oldPendingFuture) {
      pendingFuture = oldPendingFuture;
    }
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
