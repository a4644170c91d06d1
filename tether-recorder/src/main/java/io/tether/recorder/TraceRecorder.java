package io.tether.recorder;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.internal.CallSiteIds;
import io.tether.internal.CallSites;
import io.tether.internal.ExecutionState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Records every async hook event into a trace file ({@link TraceFormat}): an async hook whose
 * callbacks put each event into a buffer of the thread's own ({@link ThreadBuffer}, held in the
 * thread's {@code ExecutionState}: no claim shared with other threads, no allocation on the
 * application's threads), or, on a virtual thread, into one ring they share ({@link EventRing}),
 * and one writer thread that encodes them to the file, looking for them by itself every 1 to 20 ms
 * (the application's threads wake it only when a buffer has to grow, or is half full at its
 * largest). The writer takes one thread's buffer after another, so the file holds each thread's
 * events in order and the threads' interleaved by those passes; the reader puts them back in time
 * order. Memory is bounded by the buffers whatever the load (a thread's is forgotten once the
 * thread ended and its events are written): when the writer falls a whole buffer behind a thread,
 * that thread's new events are dropped and counted, and the count is written to the file (as {@code
 * DROPPED} records and in the final {@code END} record), never lost silently.
 *
 * <p>The writer gathers records into blocks ({@link TraceFormat}: a length, an event count and a
 * CRC32C per block, not per event) and writes a block, in one write, when it holds {@link
 * TraceFormat#BLOCK_TARGET} bytes or whenever the writer has caught up, so a JVM killed outright
 * leaves a file that reads up to its last whole block. The file is complete (ends with the {@code
 * END} block) after {@link #close()}, which a shutdown hook also runs, so on normal exit, on {@code
 * System.exit} and on SIGTERM.
 *
 * <p>{@code init} records the call site of the resource: the application's call that linked it,
 * numbered once per site by the agent when it loaded the class ({@code CallSiteIds}, read from the
 * thread's state: no stack walk), or, where no numbered call is in progress, the first application
 * frame of the stack that linked it (JDK and Tether frames skipped).
 */
public final class TraceRecorder implements AsyncHookCallbacks, AutoCloseable {

  /**
   * Events each platform thread's buffer may hold by default: events that may wait for the writer
   * before any of that thread's is dropped. A buffer starts at 256 events (10 KB) and doubles when
   * the writer falls behind, up to this (640 KB).
   */
  public static final int DEFAULT_CAPACITY = 1 << 14;

  /**
   * How many times a thread's capacity the ring shared by virtual threads holds, at most 65,536.
   */
  static final int SHARED_RING_FACTOR = 64;

  private static final StackWalker WALKER = StackWalker.getInstance();

  /** Virtual threads' events (a buffer each would cost memory by the million). */
  private final EventRing ring;

  private final int capacity;

  /**
   * Every platform thread's buffer that the writer takes from; a thread's is removed once it ended.
   */
  private final java.util.List<ThreadBuffer> buffers =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A thread's buffer while another recorder holds its state's slot. */
  private final ThreadLocal<ThreadBuffer> ownBuffers = new ThreadLocal<>();

  /** Drops of the buffers removed so far (their threads ended). Writer only. */
  private volatile long droppedByEnded;

  private final long startNanos = System.nanoTime();
  private final Path file;
  private final OutputStream out;
  private final Thread writer;
  private final Thread shutdownHook;
  private final AsyncHook hook;
  private volatile boolean closed;

  /** No event is taken any more: set by {@link #close} and when the file cannot be written. */
  private volatile boolean stopped;

  private long written;
  private IOException failure;

  private TraceRecorder(Path file, int capacity) throws IOException {
    if (capacity < 2 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException(
          "capacity must be a power of two, at least 2, was " + capacity);
    }
    this.capacity = capacity;
    this.ring = new EventRing(Math.min(capacity * SHARED_RING_FACTOR, 1 << 16));
    this.file = file;
    // Unbuffered: each block goes out in one write, so a JVM killed outright leaves whole blocks.
    out = Files.newOutputStream(file);
    out.write(TraceFormat.header(System.currentTimeMillis()));
    writer = new Thread(this::drain, "tether-trace-writer");
    writer.setDaemon(true);
    shutdownHook = new Thread(this::close, "tether-trace-shutdown");
    hook = AsyncHooks.createHook(this);
  }

  /**
   * Starts recording every async hook event into {@code file} (created or truncated), with buffers
   * of {@link #DEFAULT_CAPACITY} events a thread.
   *
   * @throws IOException if the file cannot be created
   */
  public static TraceRecorder start(Path file) throws IOException {
    return start(file, DEFAULT_CAPACITY);
  }

  /**
   * Starts recording into {@code file} with buffers of up to {@code capacity} events a platform
   * thread (a power of two), and a ring of {@value #SHARED_RING_FACTOR} times that (at most 65,536)
   * shared by virtual threads.
   *
   * @throws IOException if the file cannot be created
   * @throws IllegalArgumentException if {@code capacity} is not a power of two of at least 2
   */
  public static TraceRecorder start(Path file, int capacity) throws IOException {
    return start(file, capacity, null);
  }

  /** For tests: the writer waits for {@code gate} before it writes anything. */
  static TraceRecorder start(Path file, int capacity, java.util.concurrent.CountDownLatch gate)
      throws IOException {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    TraceRecorder recorder = new TraceRecorder(file, capacity);
    recorder.gate = gate;
    recorder.writer.start();
    Runtime.getRuntime().addShutdownHook(recorder.shutdownHook);
    recorder.hook.enable();
    return recorder;
  }

  /** The file being written. */
  public Path file() {
    return file;
  }

  /** Events dropped so far because the writer was a whole buffer behind. */
  public long dropped() {
    long lost = ring.dropped() + droppedByEnded;
    for (ThreadBuffer buffer : buffers) {
      lost += buffer.dropped();
    }
    return lost;
  }

  /** For tests: the ids of the threads whose buffers the writer takes from. */
  java.util.List<Long> bufferedThreads() {
    java.util.List<Long> ids = new java.util.ArrayList<>();
    for (ThreadBuffer buffer : buffers) {
      ids.add(buffer.threadId);
    }
    return ids;
  }

  // ---------------------------------------------------------------------------------------------
  // The hook: on the application's threads.

  @Override
  public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
    ExecutionState state = ExecutionState.current();
    // The call the agent numbered, if this thread is in one; else the first frame of the stack.
    int site = state.site;
    offer(
        state,
        TraceFormat.INIT,
        asyncId,
        triggerAsyncId,
        type,
        site,
        site == 0 ? callSiteFrame() : null);
  }

  @Override
  public void before(long asyncId) {
    ExecutionState state = ExecutionState.current();
    // A callback run inside a marked call (an executor that runs tasks inline) is not that call.
    state.site = 0;
    offer(state, TraceFormat.BEFORE, asyncId, 0, null, 0, null);
  }

  @Override
  public void after(long asyncId) {
    ExecutionState state = ExecutionState.current();
    state.site = 0;
    offer(state, TraceFormat.AFTER, asyncId, 0, null, 0, null);
  }

  @Override
  public void destroy(long asyncId) {
    offer(ExecutionState.current(), TraceFormat.DESTROY, asyncId, 0, null, 0, null);
  }

  @Override
  public void promiseResolve(long asyncId) {
    offer(ExecutionState.current(), TraceFormat.RESOLVE, asyncId, 0, null, 0, null);
  }

  private void offer(
      ExecutionState state, int kind, long id, long trigger, String type, int siteId, Object site) {
    long now = System.nanoTime() - startNanos;
    Object slot = state.recorderSlot;
    boolean wake =
        slot instanceof ThreadBuffer && ((ThreadBuffer) slot).owner == this
            ? ((ThreadBuffer) slot).offer(kind, id, trigger, now, siteId, type, site)
            : offerElsewhere(state, slot, kind, id, trigger, now, type, siteId, site);
    if (wake) {
      LockSupport.unpark(writer);
    }
  }

  /**
   * An event of a thread that has no buffer of this recorder in its state yet, or writes into the
   * shared ring: a virtual thread (a buffer each would cost memory by the million), or any thread
   * while another recorder holds its state's slot (then a buffer of this recorder's own
   * thread-local).
   */
  private boolean offerElsewhere(
      ExecutionState state,
      Object slot,
      int kind,
      long id,
      long trigger,
      long now,
      String type,
      int siteId,
      Object site) {
    Thread thread = Thread.currentThread();
    if (slot == this) {
      return ring.offer(kind, id, trigger, now, thread, type, siteId, site);
    }
    if (isVirtual(thread)) {
      if (slot == null || isClosedRecorders(slot)) {
        state.recorderSlot = this;
      }
      return ring.offer(kind, id, trigger, now, thread, type, siteId, site);
    }
    ThreadBuffer buffer;
    if (slot == null || isClosedRecorders(slot)) {
      buffer = register(state, thread);
      state.recorderSlot = buffer;
    } else {
      buffer = ownBuffers.get();
      if (buffer == null) {
        buffer = register(state, thread);
        ownBuffers.set(buffer);
      }
    }
    return buffer.offer(kind, id, trigger, now, siteId, type, site);
  }

  /** Whether a state's slot holds what a closed recorder left there. */
  private static boolean isClosedRecorders(Object slot) {
    Object owner = slot instanceof ThreadBuffer ? ((ThreadBuffer) slot).owner : slot;
    return owner instanceof TraceRecorder && ((TraceRecorder) owner).stopped;
  }

  private static boolean isVirtual(Thread thread) {
    String name = thread.getClass().getName();
    return name.startsWith("java.lang.") && name.endsWith("VirtualThread");
  }

  /** A new buffer for the current thread, which the writer takes from now on. */
  private ThreadBuffer register(ExecutionState state, Thread thread) {
    ThreadBuffer buffer = new ThreadBuffer(this, state, thread, capacity);
    buffers.add(buffer);
    if (stopped) {
      buffer.seal(); // the writer may have sealed the buffers it knew already: this one drops
    }
    return buffer;
  }

  /**
   * The first frame of the stack that is neither the JDK's nor Tether's (turned into text by the
   * writer, off the application's thread), or {@code null}.
   */
  static StackWalker.StackFrame callSiteFrame() {
    STACK_WALKS.increment();
    return CallSites.first(WALKER, TraceRecorder::internal);
  }

  /** Inits whose call site was found by walking the stack (no numbered call in progress). */
  private static final java.util.concurrent.atomic.LongAdder STACK_WALKS =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * How many {@code init}s so far, of every recorder of this JVM, took their call site from a walk
   * of the stack rather than from the call the agent numbered: a diagnostic for tests and
   * benchmarks.
   */
  public static long stackWalks() {
    return STACK_WALKS.sum();
  }

  /** A frame as a stack trace line. */
  static String callSite(StackWalker.StackFrame f) {
    return CallSites.describe(f);
  }

  static boolean internal(String className) {
    return CallSites.isInternal(className, TraceRecorder.class);
  }

  // ---------------------------------------------------------------------------------------------
  // The writer thread.

  private final Map<String, Integer> strings = new HashMap<>();
  private final Map<Thread, Integer> threadIndex = new java.util.WeakHashMap<>();
  private int nextThread = 1;
  private final byte[] record = new byte[16 + 5 * 10];
  private long droppedWritten;

  private java.util.concurrent.CountDownLatch gate;

  /**
   * The writer's sleep when it finds nothing to write: 1 ms after it wrote something, doubling up
   * to 20 ms while nothing comes. The application's threads wake it only when a buffer had to grow
   * or is half full at its largest, or the shared ring is a quarter full (or the recorder closes),
   * so that an event costs them no system call.
   */
  private static final long MIN_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private static final long MAX_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private void drain() {
    try {
      if (gate != null) {
        gate.await();
      }
      // How long the writer sleeps when it finds nothing: short after work, longer while idle.
      long idle = MIN_IDLE_NANOS;
      int pass = 0;
      while (true) {
        if (stopped) {
          // Read before the list: a buffer registered from now on sees `stopped`, seals itself.
          for (ThreadBuffer buffer : buffers) {
            buffer.seal();
          }
          takeBuffers(false); // sealed: what each has published now is all it ever will
          while (!ring.drained()) {
            if (!takeRing()) {
              Thread.yield(); // claimed before the ring was sealed, published in a moment
            }
          }
          break;
        }
        // Whether threads have ended is asked every 32nd pass: it is a call into the JVM a thread.
        boolean wrote = takeBuffers((++pass & 31) == 0);
        wrote |= takeRing();
        if (wrote) {
          idle = MIN_IDLE_NANOS;
          continue;
        }
        long lost = dropped();
        if (lost != droppedWritten) {
          droppedWritten = lost;
          writeRecord(TraceFormat.DROPPED, TraceFormat.putVarLong(record, 0, lost));
        }
        writeBlock();
        LockSupport.parkNanos(this, idle);
        idle = Math.min(idle * 2, MAX_IDLE_NANOS);
      }
      long lost = dropped();
      if (lost != droppedWritten) {
        droppedWritten = lost;
        writeRecord(TraceFormat.DROPPED, TraceFormat.putVarLong(record, 0, lost));
      }
      writeBlock();
      int n = TraceFormat.putVarLong(record, 0, written);
      n = TraceFormat.putVarLong(record, n, lost);
      writeRecord(TraceFormat.END, n);
      writeBlock();
      out.close();
    } catch (IOException e) {
      failure = e;
      stopped = true;
      ring.close();
      for (ThreadBuffer buffer : buffers) {
        buffer.seal();
      }
      System.err.println("tether-trace: cannot write " + file + " (" + e + "); recording stops");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      // The threads that live on no longer hold this recorder's buffers.
      for (ThreadBuffer buffer : buffers) {
        if (buffer.state.recorderSlot == buffer) {
          buffer.state.recorderSlot = null;
        }
      }
    }
  }

  /**
   * Writes what every thread's buffer has published, and forgets the buffers of threads that ended
   * once they are empty (when {@code lookForEnded}).
   *
   * @return whether anything was written
   */
  private boolean takeBuffers(boolean lookForEnded) throws IOException {
    boolean wrote = false;
    for (ThreadBuffer buffer : buffers) {
      // Asked before reading what it published: a thread that ended publishes nothing more.
      boolean ended = lookForEnded && buffer.ended();
      if (buffer.take(sink) > 0) {
        wrote = true;
      } else if (ended) {
        droppedByEnded += buffer.dropped();
        buffers.remove(buffer);
      }
    }
    return wrote;
  }

  /** Writes what virtual threads put in the shared ring. @return whether anything was written */
  private boolean takeRing() throws IOException {
    boolean wrote = false;
    int slot;
    while ((slot = ring.next()) >= 0) {
      int kind = ring.kinds[slot];
      write(
          kind,
          ring.ids[slot],
          ring.triggers[slot],
          ring.times[slot],
          thread((Thread) ring.threads[slot]),
          (String) ring.types[slot],
          ring.siteIds[slot],
          ring.sites[slot]);
      ring.release(slot);
      wrote = true;
    }
    return wrote;
  }

  /** Writes each event the writer takes from a thread's buffer. */
  private final ThreadBuffer.Sink sink =
      (buffer, words, w, refs, r) ->
          write(
              (int) (words[w] & 0xFF),
              words[w + 1],
              words[w + 2],
              words[w + 3],
              thread(buffer),
              (String) refs[r],
              (int) (words[w] >>> 8),
              refs[r + 1]);

  private void write(
      int kind,
      long id,
      long trigger,
      long time,
      int threadIndex,
      String type,
      int numbered,
      Object frame)
      throws IOException {
    int typeId = 0;
    int siteId = 0;
    if (kind == TraceFormat.INIT) {
      // First, as they may write records of their own (a string's first use).
      typeId = string(type);
      siteId =
          numbered != 0 ? numberedSite(numbered) : string(callSite((StackWalker.StackFrame) frame));
    }
    // Encoded in place in the block: kind, a one-byte length (an event's numbers take at most 45
    // bytes), the numbers.
    if (blockLength > 0 && blockLength + 2 + MAX_EVENT_PAYLOAD > TraceFormat.BLOCK_TARGET) {
      writeBlock();
    }
    byte[] b = block;
    int start = TraceFormat.BLOCK_HEADER_LENGTH + blockLength;
    b[start] = (byte) kind;
    int n = TraceFormat.putVarLong(b, start + 2, id);
    if (kind == TraceFormat.INIT) {
      n = TraceFormat.putVarLong(b, n, trigger);
      n = TraceFormat.putVarLong(b, n, typeId);
      n = TraceFormat.putVarLong(b, n, threadIndex);
      n = TraceFormat.putVarLong(b, n, time);
      n = TraceFormat.putVarLong(b, n, siteId);
    } else {
      n = TraceFormat.putVarLong(b, n, threadIndex);
      n = TraceFormat.putVarLong(b, n, time);
    }
    b[start + 1] = (byte) (n - start - 2);
    blockLength = n - TraceFormat.BLOCK_HEADER_LENGTH;
    blockEvents++;
    written++;
  }

  /** The most bytes an event's numbers take: three longs and three ints as varints. */
  private static final int MAX_EVENT_PAYLOAD = 3 * 10 + 3 * 5;

  /** The string index of each numbered call site written so far, by its number; 0 not yet. */
  private int[] numberedSites = new int[256];

  /** The string index of the call site numbered {@code number}, written once. */
  private int numberedSite(int number) throws IOException {
    if (number >= numberedSites.length) {
      numberedSites =
          java.util.Arrays.copyOf(numberedSites, Math.max(number + 1, numberedSites.length * 2));
    }
    int index = numberedSites[number];
    if (index == 0) {
      index = string(CallSiteIds.describe(number));
      numberedSites[number] = index;
    }
    return index;
  }

  /** The index of a buffer's thread, whose record is written on first sight. */
  private int thread(ThreadBuffer buffer) throws IOException {
    if (buffer.index == 0) {
      Thread thread = buffer.thread.get();
      buffer.index =
          thread != null ? thread(thread) : threadRecord(buffer.threadName, buffer.threadId);
    }
    return buffer.index;
  }

  /**
   * The index of a thread, whose record is written on first sight (a thread with events in its
   * buffer and in the shared ring, or two buffers, has one index).
   */
  private int thread(Thread thread) throws IOException {
    if (thread == null) {
      return 0;
    }
    Integer known = threadIndex.get(thread);
    if (known != null) {
      return known;
    }
    int index = threadRecord(thread.getName(), thread.getId());
    threadIndex.put(thread, index);
    return index;
  }

  private int threadRecord(String threadName, long threadId) throws IOException {
    int name = string(threadName);
    int index = nextThread++;
    byte[] payload = new byte[30];
    int n = TraceFormat.putVarLong(payload, 0, index);
    n = TraceFormat.putVarLong(payload, n, threadId);
    n = TraceFormat.putVarLong(payload, n, name);
    writeRecord(TraceFormat.THREAD, payload, n);
    return index;
  }

  private int string(String value) throws IOException {
    if (value == null || value.isEmpty()) {
      return 0;
    }
    Integer known = strings.get(value);
    if (known != null) {
      return known;
    }
    int index = strings.size() + 1;
    strings.put(value, index);
    String kept =
        value.length() <= TraceFormat.MAX_STRING
            ? value
            : value.substring(0, TraceFormat.MAX_STRING - 3) + "...";
    byte[] utf8 = kept.getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[utf8.length + 5];
    int n = TraceFormat.putVarLong(payload, 0, index);
    System.arraycopy(utf8, 0, payload, n, utf8.length);
    writeRecord(TraceFormat.STRING, payload, n + utf8.length);
    return index;
  }

  private void writeRecord(int kind, int length) throws IOException {
    writeRecord(kind, record, length);
  }

  /** The block being filled: its payload from {@link TraceFormat#BLOCK_HEADER_LENGTH}. */
  private byte[] block =
      new byte
          [TraceFormat.BLOCK_HEADER_LENGTH
              + TraceFormat.BLOCK_TARGET
              + TraceFormat.BLOCK_TRAILER_LENGTH];

  private int blockLength;
  private int blockEvents;
  private int blockNumber;

  private void writeRecord(int kind, byte[] payload, int length) throws IOException {
    int needed = 1 + 5 + length;
    if (blockLength > 0 && blockLength + needed > TraceFormat.BLOCK_TARGET) {
      writeBlock();
    }
    int end = TraceFormat.BLOCK_HEADER_LENGTH + blockLength + needed;
    if (end + TraceFormat.BLOCK_TRAILER_LENGTH > block.length) {
      block = java.util.Arrays.copyOf(block, end + TraceFormat.BLOCK_TRAILER_LENGTH);
    }
    int n = TraceFormat.BLOCK_HEADER_LENGTH + blockLength;
    block[n++] = (byte) kind;
    n = TraceFormat.putVarLong(block, n, length);
    System.arraycopy(payload, 0, block, n, length);
    blockLength = n + length - TraceFormat.BLOCK_HEADER_LENGTH;
    if (TraceFormat.isEvent(kind)) {
      blockEvents++;
    }
  }

  /** Seals the block being filled, if it holds anything, and writes it in one write. */
  private void writeBlock() throws IOException {
    if (blockLength == 0) {
      return;
    }
    int n = TraceFormat.seal(block, blockLength, blockEvents, blockNumber++);
    out.write(block, 0, n);
    blockLength = 0;
    blockEvents = 0;
  }

  /**
   * Stops recording: disables the hook, writes what the ring holds and the {@code END} record, and
   * closes the file. Idempotent; also run by a shutdown hook.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    hook.disable();
    stopped = true;
    ring.close(); // the writer seals each thread's buffer
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting: the hook is running or will find the recorder closed
      }
    }
  }

  /** The error that stopped the writer, if any. */
  public IOException failure() {
    return failure;
  }
}
