package io.tether;

/**
 * What one thread is executing: its current {@link Frame}, the async id, trigger id and resource of
 * the continuation it runs, and a stack of what to restore when that continuation ends.
 *
 * <p>Invariants: an instance is confined to its thread (reached only through {@link #current()}),
 * so no field needs synchronisation. Every {@link #enter} is paired with one {@link #exit} in a
 * {@code finally}, which restores all four fields exactly, whatever the continuation did
 * ({@code enterWith}, an exception, an error). The saved-state stack is a pair of growable arrays,
 * so entering and leaving a continuation allocates nothing once the thread has reached its deepest
 * nesting.
 */
final class ExecutionState {

  /** The resource of the main thread's top level, returned by {@code executionAsyncResource()}. */
  static final Object TOP_LEVEL = new Object() {
    @Override
    public String toString() {
      return "TopLevel";
    }
  };

  private static final ThreadLocal<ExecutionState> STATE =
      ThreadLocal.withInitial(ExecutionState::new);

  Frame frame = Frame.EMPTY;
  long asyncId;
  long triggerAsyncId;
  Object resource;
  /** True while this thread runs hook callbacks: async work linked then produces no hook events. */
  boolean inHook;

  private Object[] savedRefs = new Object[8];
  private long[] savedIds = new long[8];
  private int depth;

  private ExecutionState() {
    if (isMainThread(Thread.currentThread())) {
      asyncId = 1;
      triggerAsyncId = 0;
      resource = TOP_LEVEL;
    }
  }

  static ExecutionState current() {
    return STATE.get();
  }

  /** The thread the JVM launcher runs {@code main} on (its id differs between JDK releases). */
  private static boolean isMainThread(Thread t) {
    ThreadGroup group = t.getThreadGroup();
    return "main".equals(t.getName()) && !t.isDaemon()
        && group != null && "main".equals(group.getName()) && group.getParent() != null
        && "system".equals(group.getParent().getName());
  }

  /** Makes {@code frame} and the resource current, saving what was current for {@link #exit}. */
  void enter(Frame newFrame, Object newResource, long newAsyncId, long newTriggerAsyncId) {
    int d = depth;
    if (d * 2 == savedRefs.length) {
      savedRefs = java.util.Arrays.copyOf(savedRefs, d * 4);
      savedIds = java.util.Arrays.copyOf(savedIds, d * 4);
    }
    savedRefs[2 * d] = frame;
    savedRefs[2 * d + 1] = resource;
    savedIds[2 * d] = asyncId;
    savedIds[2 * d + 1] = triggerAsyncId;
    depth = d + 1;
    frame = newFrame;
    resource = newResource;
    asyncId = newAsyncId;
    triggerAsyncId = newTriggerAsyncId;
  }

  /** Restores what the matching {@link #enter} saved, and lets go of the references it kept. */
  void exit() {
    int d = --depth;
    frame = (Frame) savedRefs[2 * d];
    resource = savedRefs[2 * d + 1];
    savedRefs[2 * d] = null;
    savedRefs[2 * d + 1] = null;
    asyncId = savedIds[2 * d];
    triggerAsyncId = savedIds[2 * d + 1];
  }

  /** Nesting depth of continuations on this thread; 0 outside any. */
  int depth() {
    return depth;
  }
}
