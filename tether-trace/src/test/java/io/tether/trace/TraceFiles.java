package io.tether.trace;

import io.tether.recorder.TraceFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes trace files directly, for tests that need a known or a very large trace: records in blocks
 * of at most {@code blockRecords} records, the END record in a block of its own, as the recorder
 * writes them.
 */
final class TraceFiles implements AutoCloseable {

  private final OutputStream out;
  private final Map<String, Integer> strings = new HashMap<>();
  private final byte[] payload = new byte[1024];
  private final int blockRecords;
  private byte[] block = new byte[1 << 16];
  private int blockLength;
  private int blockCount;
  private int blockEvents;
  private int blockNumber;
  private int threads;

  TraceFiles(Path file) throws IOException {
    this(file, 64);
  }

  TraceFiles(Path file, int blockRecords) throws IOException {
    this.blockRecords = blockRecords;
    out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    out.write(TraceFormat.header(1_700_000_000_000L));
  }

  private void record(int kind, int length) throws IOException {
    if (blockLength + 16 + length + TraceFormat.BLOCK_TRAILER_LENGTH + 16 > block.length) {
      block = java.util.Arrays.copyOf(block, block.length * 2 + length);
    }
    int n = TraceFormat.BLOCK_HEADER_LENGTH + blockLength;
    block[n++] = (byte) kind;
    n = TraceFormat.putVarLong(block, n, length);
    System.arraycopy(payload, 0, block, n, length);
    blockLength = n + length - TraceFormat.BLOCK_HEADER_LENGTH;
    blockEvents += TraceFormat.isEvent(kind) ? 1 : 0;
    if (++blockCount == blockRecords) {
      block();
    }
  }

  /** Writes the block being filled, if any. */
  void block() throws IOException {
    if (blockLength > 0) {
      out.write(block, 0, TraceFormat.seal(block, blockLength, blockEvents, blockNumber++));
    }
    blockLength = 0;
    blockCount = 0;
    blockEvents = 0;
  }

  int string(String s) throws IOException {
    Integer known = strings.get(s);
    if (known != null) {
      return known;
    }
    int index = strings.size() + 1;
    strings.put(s, index);
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    int n = TraceFormat.putVarLong(payload, 0, index);
    System.arraycopy(utf8, 0, payload, n, utf8.length);
    record(TraceFormat.STRING, n + utf8.length);
    return index;
  }

  int thread(String name) throws IOException {
    int index = ++threads;
    int nameIndex = string(name);
    int n = TraceFormat.putVarLong(payload, 0, index);
    n = TraceFormat.putVarLong(payload, n, 100 + index);
    n = TraceFormat.putVarLong(payload, n, nameIndex);
    record(TraceFormat.THREAD, n);
    return index;
  }

  void init(long id, long trigger, String type, int thread, long time, String site)
      throws IOException {
    int typeIndex = string(type);
    int siteIndex = string(site);
    int n = TraceFormat.putVarLong(payload, 0, id);
    n = TraceFormat.putVarLong(payload, n, trigger);
    n = TraceFormat.putVarLong(payload, n, typeIndex);
    n = TraceFormat.putVarLong(payload, n, thread);
    n = TraceFormat.putVarLong(payload, n, time);
    n = TraceFormat.putVarLong(payload, n, siteIndex);
    record(TraceFormat.INIT, n);
  }

  void event(int kind, long id, int thread, long time) throws IOException {
    int n = TraceFormat.putVarLong(payload, 0, id);
    n = TraceFormat.putVarLong(payload, n, thread);
    n = TraceFormat.putVarLong(payload, n, time);
    record(kind, n);
  }

  void end(long written) throws IOException {
    block();
    int n = TraceFormat.putVarLong(payload, 0, written);
    n = TraceFormat.putVarLong(payload, n, 0);
    record(TraceFormat.END, n);
    block();
  }

  @Override
  public void close() throws IOException {
    block();
    out.close();
  }

  /**
   * A trace of a known shape: one ROOT at {@code app.Main.main}, which links three TASKs at {@code
   * app.Main.work}, each of which links one STAGE at {@code app.Main.stage}: 3 groups, 2 kinds of
   * causal edge, 7 resources, 2 threads, 25 events.
   */
  static void known(Path file) throws IOException {
    try (TraceFiles t = new TraceFiles(file)) {
      int main = t.thread("main");
      int worker = t.thread("worker-1");
      long time = 1_000;
      t.init(2, 1, "ROOT", main, time, "app.Main.main(Main.java:1)");
      t.event(TraceFormat.BEFORE, 2, main, time += 1_000);
      for (int i = 0; i < 3; i++) {
        long task = 10 + i;
        t.init(task, 2, "TASK", main, time += 1_000, "app.Main.work(Main.java:2)");
      }
      t.event(TraceFormat.AFTER, 2, main, time += 1_000);
      t.event(TraceFormat.DESTROY, 2, main, time += 1_000);
      for (int i = 0; i < 3; i++) {
        long task = 10 + i;
        t.event(TraceFormat.BEFORE, task, worker, time += 50_000);
        t.init(20 + i, task, "STAGE", worker, time += 1_000, "app.Main.stage(Main.java:3)");
        t.event(TraceFormat.AFTER, task, worker, time += 100_000);
        t.event(TraceFormat.DESTROY, task, worker, time += 1_000);
      }
      for (int i = 0; i < 3; i++) {
        t.event(TraceFormat.BEFORE, 20 + i, main, time += 20_000);
        t.event(TraceFormat.AFTER, 20 + i, main, time += 5_000);
      }
      t.end(25);
    }
  }

  /**
   * A large trace: {@code resources} resources of 5 types at 40 call sites on 16 threads, each
   * linked by an earlier one (chains and fan-outs), each with init, before, after and destroy.
   */
  static void large(Path file, int resources) throws IOException {
    try (TraceFiles t = new TraceFiles(file)) {
      int[] threads = new int[16];
      for (int i = 0; i < threads.length; i++) {
        threads[i] = t.thread("pool-thread-" + i);
      }
      String[] types = {
        "EXECUTOR_TASK", "COMPLETABLE_FUTURE", "THREAD", "TIMER_TASK", "NIO_COMPLETION"
      };
      java.util.Random random = new java.util.Random(42);
      long time = 0;
      for (long id = 2; id < resources + 2; id++) {
        long trigger = id < 100 ? 1 : id - 1 - random.nextInt(50);
        int site = random.nextInt(40);
        int from = threads[random.nextInt(threads.length)];
        int to = threads[random.nextInt(threads.length)];
        time += 1_000;
        t.init(
            id,
            trigger,
            types[site % types.length],
            from,
            time,
            "com.example.Service" + (site % 7) + ".call" + site + "(Service.java:" + site + ")");
        long before = time + random.nextInt(200_000);
        t.event(TraceFormat.BEFORE, id, to, before);
        t.event(TraceFormat.AFTER, id, to, before + random.nextInt(50_000));
        t.event(TraceFormat.DESTROY, id, to, before + 60_000);
      }
      t.end(4L * resources);
    }
  }
}
