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
 * callbacks put each event into a fixed ring of slots ({@link EventRing}; no allocation on the
 * application's threads beyond the call site's string), and one writer thread that encodes them to
 * the file, looking for them by itself every 1 to 20 ms (the application's threads wake it only
 * when the ring is a quarter full). Memory is bounded by the ring whatever the load: when the
 * writer falls a whole ring behind, new events are dropped and counted, and the count is written to
 * the file (as {@code DROPPED} records and in the final {@code END} record), never lost silently.
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

  /** Slots in the ring by default: events that may wait for the writer before any is dropped. */
  public static final int DEFAULT_CAPACITY = 1 << 16;

  private static final StackWalker WALKER = StackWalker.getInstance();

  private final EventRing ring;

  private final long startNanos = System.nanoTime();
  private final Path file;
  private final OutputStream out;
  private final Thread writer;
  private final Thread shutdownHook;
  private final AsyncHook hook;
  private volatile boolean closed;
  private long written;
  private IOException failure;

  private TraceRecorder(Path file, int capacity) throws IOException {
    this.ring = new EventRing(capacity);
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
   * Starts recording every async hook event into {@code file} (created or truncated), with a ring
   * of {@link #DEFAULT_CAPACITY} events.
   *
   * @throws IOException if the file cannot be created
   */
  public static TraceRecorder start(Path file) throws IOException {
    return start(file, DEFAULT_CAPACITY);
  }

  /**
   * Starts recording into {@code file} with a ring of {@code capacity} events (a power of two).
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

  /** Events dropped so far because the writer was a whole ring behind. */
  public long dropped() {
    return ring.dropped();
  }

  // ---------------------------------------------------------------------------------------------
  // The hook: on the application's threads.

  @Override
  public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
    // The call the agent numbered, if this thread is in one; else the first frame of the stack.
    int site = ExecutionState.current().site;
    offer(
        TraceFormat.INIT, asyncId, triggerAsyncId, type, site, site == 0 ? callSiteFrame() : null);
  }

  @Override
  public void before(long asyncId) {
    // A callback run inside a marked call (an executor that runs tasks inline) is not that call.
    ExecutionState.current().site = 0;
    offer(TraceFormat.BEFORE, asyncId, 0, null, 0, null);
  }

  @Override
  public void after(long asyncId) {
    ExecutionState.current().site = 0;
    offer(TraceFormat.AFTER, asyncId, 0, null, 0, null);
  }

  @Override
  public void destroy(long asyncId) {
    offer(TraceFormat.DESTROY, asyncId, 0, null, 0, null);
  }

  @Override
  public void promiseResolve(long asyncId) {
    offer(TraceFormat.RESOLVE, asyncId, 0, null, 0, null);
  }

  private void offer(int kind, long id, long trigger, String type, int siteId, Object site) {
    long now = System.nanoTime() - startNanos;
    if (ring.offer(kind, id, trigger, now, Thread.currentThread(), type, siteId, site)) {
      LockSupport.unpark(writer);
    }
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
   * The writer's sleep when it finds the ring empty: 1 ms after it wrote something, doubling up to
   * 20 ms while nothing comes. The application's threads wake it only when the ring is a quarter
   * full (or the recorder closes), so that an event costs them no system call.
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
      while (true) {
        int slot = ring.next();
        if (slot >= 0) {
          write(slot);
          ring.release(slot);
          idle = MIN_IDLE_NANOS;
          continue;
        }
        if (ring.closed()) {
          if (ring.drained()) {
            break;
          }
          // Claimed before the ring was sealed, published in a moment: wait for it.
          Thread.yield();
          continue;
        }
        long lost = ring.dropped();
        if (lost != droppedWritten) {
          droppedWritten = lost;
          writeRecord(TraceFormat.DROPPED, TraceFormat.putVarLong(record, 0, lost));
        }
        writeBlock();
        LockSupport.parkNanos(this, idle);
        idle = Math.min(idle * 2, MAX_IDLE_NANOS);
      }
      long lost = ring.dropped();
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
      ring.close();
      System.err.println("tether-trace: cannot write " + file + " (" + e + "); recording stops");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write(int slot) throws IOException {
    int kind = ring.kinds[slot];
    Thread thread = (Thread) ring.threads[slot];
    String type = (String) ring.types[slot];
    int threadId = thread(thread);
    int n = TraceFormat.putVarLong(record, 0, ring.ids[slot]);
    if (kind == TraceFormat.INIT) {
      int typeId = string(type);
      int numbered = ring.siteIds[slot];
      int siteId =
          numbered != 0
              ? numberedSite(numbered)
              : string(callSite((StackWalker.StackFrame) ring.sites[slot]));
      n = TraceFormat.putVarLong(record, n, ring.triggers[slot]);
      n = TraceFormat.putVarLong(record, n, typeId);
      n = TraceFormat.putVarLong(record, n, threadId);
      n = TraceFormat.putVarLong(record, n, ring.times[slot]);
      n = TraceFormat.putVarLong(record, n, siteId);
    } else {
      n = TraceFormat.putVarLong(record, n, threadId);
      n = TraceFormat.putVarLong(record, n, ring.times[slot]);
    }
    writeRecord(kind, n);
    written++;
  }

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

  private int thread(Thread thread) throws IOException {
    if (thread == null) {
      return 0;
    }
    Integer known = threadIndex.get(thread);
    if (known != null) {
      return known;
    }
    int name = string(thread.getName());
    int index = nextThread++;
    threadIndex.put(thread, index);
    byte[] payload = new byte[30];
    int n = TraceFormat.putVarLong(payload, 0, index);
    n = TraceFormat.putVarLong(payload, n, thread.getId());
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
    ring.close();
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
