package io.tether.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncHooks;
import io.tether.AsyncResource;
import io.tether.internal.ExecutionState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder on its own: what it writes, checked block by block (checksums, numbers, event
 * counts) and record by record (kind, length, payload) against {@link TraceFormat}, not through the
 * reader, which is tether-trace's; the reader's side, resources and exports, is tether-trace's
 * {@code TraceRoundTripTest}.
 *
 * <p>Resources here need a manual destroy and get none: a destroy is delivered later, on another
 * thread, and could land in a later test's recording (and in its ring count).
 */
@Timeout(30)
class TraceRecorderTest {

  @TempDir Path dir;

  /** One record of a file: its kind and its payload. */
  private record Rec(int kind, byte[] payload) {

    /** The payload's varints, in order (for the records that hold only numbers). */
    List<Long> numbers() {
      List<Long> numbers = new ArrayList<>();
      int[] position = {0};
      while (position[0] < payload.length) {
        numbers.add(varLong(payload, position));
      }
      return numbers;
    }

    /** A {@code STRING} record's text. */
    String text() {
      int[] position = {0};
      varLong(payload, position); // the index
      return new String(payload, position[0], payload.length - position[0], StandardCharsets.UTF_8);
    }
  }

  /** Reads an unsigned LEB128 varint at {@code position[0]}, which it moves past it. */
  private static long varLong(byte[] bytes, int[] position) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = bytes[position[0]++];
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
  }

  /**
   * The records of a whole file, after checking its header and, block by block, the checksums, the
   * numbers and the event counts; the END record must be alone in the last block.
   */
  private static List<Rec> records(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    byte[] magic = TraceFormat.magic();
    assertThat(Arrays.copyOf(bytes, magic.length)).isEqualTo(magic);
    assertThat(bytes[magic.length]).isEqualTo((byte) TraceFormat.VERSION);
    assertThat(TraceFormat.getInt(bytes, 16)).isEqualTo(TraceFormat.crc(bytes, 0, 16));
    long start =
        (long) TraceFormat.getInt(bytes, 8) << 32 | (TraceFormat.getInt(bytes, 12) & 0xFFFFFFFFL);
    assertThat(start).as("start wall time").isGreaterThan(System.currentTimeMillis() - 3_600_000L);
    List<Rec> records = new ArrayList<>();
    int position = TraceFormat.HEADER_LENGTH;
    int lastBlock = 0;
    for (int number = 0; position < bytes.length; number++) {
      lastBlock = records.size();
      int length = TraceFormat.getInt(bytes, position);
      assertThat(TraceFormat.getInt(bytes, position + 8)).as("block number").isEqualTo(number);
      assertThat(TraceFormat.getInt(bytes, position + 12))
          .isEqualTo(TraceFormat.crc(bytes, position, 12));
      int body = position + TraceFormat.BLOCK_HEADER_LENGTH;
      assertThat(TraceFormat.getInt(bytes, body + length))
          .isEqualTo(TraceFormat.crc(bytes, body, length));
      int[] at = {body};
      int events = 0;
      while (at[0] < body + length) {
        int kind = bytes[at[0]++];
        int size = (int) varLong(bytes, at);
        records.add(new Rec(kind, Arrays.copyOfRange(bytes, at[0], at[0] + size)));
        events += TraceFormat.isEvent(kind) ? 1 : 0;
        at[0] += size;
      }
      assertThat(at[0]).as("the last record ends at its block's end").isEqualTo(body + length);
      assertThat(TraceFormat.getInt(bytes, position + 4)).as("events").isEqualTo(events);
      position = body + length + TraceFormat.BLOCK_TRAILER_LENGTH;
    }
    assertThat(position).as("the last block ends at the end of the file").isEqualTo(bytes.length);
    if (!records.isEmpty() && records.get(records.size() - 1).kind() == TraceFormat.END) {
      assertThat(records.size() - lastBlock).as("END is alone in its block").isEqualTo(1);
    }
    return records;
  }

  /** The records of one kind, in file order. */
  private static List<Rec> ofKind(List<Rec> records, int kind) {
    return records.stream().filter(r -> r.kind() == kind).collect(Collectors.toList());
  }

  @Test
  void boundedRing_dropsAndCountsWhatDoesNotFit() throws Exception {
    Path file = dir.resolve("dropped.trace");
    CountDownLatch gate = new CountDownLatch(1);
    TraceRecorder recorder = TraceRecorder.start(file, 4, gate);
    try {
      for (int i = 0; i < 10; i++) {
        new AsyncResource(
            "BURST", AsyncHooks.executionAsyncId(), true); // one init each; the writer is held
      }
      assertThat(recorder.dropped()).isEqualTo(6);
    } finally {
      gate.countDown();
      recorder.close();
    }
    assertThat(recorder.failure()).isNull();
    List<Rec> records = records(file);
    assertThat(ofKind(records, TraceFormat.INIT)).hasSize(4);
    Rec end = records.get(records.size() - 1);
    assertThat(end.kind()).isEqualTo(TraceFormat.END);
    assertThat(end.numbers()).as("events written, events dropped").containsExactly(4L, 6L);
  }

  @Test
  void init_recordsTheTypeThreadAndFirstApplicationFrame() throws Exception {
    Path file = dir.resolve("one.trace");
    try (TraceRecorder recorder = TraceRecorder.start(file)) {
      new AsyncResource("PROBE", AsyncHooks.executionAsyncId(), true);
      assertThat(recorder.file()).isEqualTo(file);
    }
    List<Rec> records = records(file);
    List<String> strings =
        ofKind(records, TraceFormat.STRING).stream().map(Rec::text).collect(Collectors.toList());
    assertThat(strings).contains("PROBE", Thread.currentThread().getName());
    // The call site skips Tether's classes (AsyncResource's constructor) and the JDK's: this test.
    assertThat(strings)
        .anySatisfy(
            s ->
                assertThat(s)
                    .startsWith(
                        TraceRecorderTest.class.getName()
                            + ".init_recordsTheTypeThreadAndFirstApplicationFrame(")
                    .contains("TraceRecorderTest.java:"));
    assertThat(ofKind(records, TraceFormat.THREAD)).isNotEmpty();
    assertThat(records.get(records.size() - 1).kind()).isEqualTo(TraceFormat.END);
  }

  @Test
  void close_isIdempotentAndStopsRecording() throws Exception {
    Path file = dir.resolve("closed.trace");
    TraceRecorder recorder = TraceRecorder.start(file);
    recorder.close();
    long size = Files.size(file);
    new AsyncResource("AFTER_CLOSE", AsyncHooks.executionAsyncId(), true); // init is synchronous
    recorder.close();
    assertThat(Files.size(file)).isEqualTo(size);
    assertThat(ofKind(records(file), TraceFormat.END)).hasSize(1);
  }

  @Test
  void endedThreads_theirBuffersAreWrittenThenForgotten() throws Exception {
    Path file = dir.resolve("ended.trace");
    List<Long> threadIds = new java.util.ArrayList<>();
    try (TraceRecorder recorder = TraceRecorder.start(file)) {
      for (int i = 0; i < 3; i++) {
        Thread t =
            new Thread(() -> new AsyncResource("ENDED", AsyncHooks.executionAsyncId(), true));
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(t.isAlive()).isFalse();
        threadIds.add(t.getId());
      }
      // The writer looks for ended threads every 32nd pass: wait for it, bounded.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (threadIds.stream().anyMatch(recorder.bufferedThreads()::contains)) {
        assertThat(System.nanoTime()).as("buffers of ended threads forgotten").isLessThan(deadline);
        Thread.sleep(5);
      }
    }
    assertThat(ofKind(records(file), TraceFormat.INIT)).hasSizeGreaterThanOrEqualTo(3);
    assertThat(
            ofKind(records(file), TraceFormat.STRING).stream()
                .filter(r -> "ENDED".equals(r.text())))
        .hasSize(1);
  }

  /**
   * A platform thread gets a buffer of its own; a virtual thread (JDK 21 and later) writes into the
   * shared ring and gets none.
   */
  @Test
  void aThreadsBuffer_forPlatformThreadsOnly() throws Exception {
    Path file = dir.resolve("route.trace");
    boolean virtual = Runtime.version().feature() >= 21;
    CountDownLatch recorded = new CountDownLatch(1);
    CountDownLatch checked = new CountDownLatch(1);
    Runnable work =
        () -> {
          new AsyncResource("ROUTED", AsyncHooks.executionAsyncId(), true);
          recorded.countDown();
          try {
            checked.await(10, TimeUnit.SECONDS); // alive while the buffers are looked at
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    try (TraceRecorder recorder = TraceRecorder.start(file)) {
      Thread thread =
          virtual
              ? (Thread)
                  Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, work)
              : new Thread(work);
      if (!virtual) {
        thread.start();
      }
      try {
        assertThat(recorded.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.bufferedThreads().contains(thread.getId()))
            .as("a buffer of its own (virtual: %s)", virtual)
            .isEqualTo(!virtual);
      } finally {
        checked.countDown();
        thread.join(TimeUnit.SECONDS.toMillis(10));
      }
    }
    assertThat(
            ofKind(records(file), TraceFormat.STRING).stream()
                .filter(r -> "ROUTED".equals(r.text())))
        .hasSize(1);
  }

  @Test
  void close_takesItsBufferOutOfTheThreadsState_andANextRecorderRecords() throws Exception {
    Path first = dir.resolve("first.trace");
    TraceRecorder recorder = TraceRecorder.start(first);
    new AsyncResource("FIRST", AsyncHooks.executionAsyncId(), true);
    assertThat(ExecutionState.current().recorderSlot).isInstanceOf(ThreadBuffer.class);
    recorder.close();
    assertThat(ExecutionState.current().recorderSlot).isNull();
    Path second = dir.resolve("second.trace");
    try (TraceRecorder next = TraceRecorder.start(second)) {
      new AsyncResource("SECOND", AsyncHooks.executionAsyncId(), true);
      assertThat(next.dropped()).isZero();
    }
    assertThat(ofKind(records(second), TraceFormat.INIT)).hasSize(1);
  }

  @Test
  void twoRecordersAtOnce_bothRecordEveryEventOfAThread() throws Exception {
    Path one = dir.resolve("one.trace");
    Path two = dir.resolve("two.trace");
    try (TraceRecorder a = TraceRecorder.start(one);
        TraceRecorder b = TraceRecorder.start(two)) {
      for (int i = 0; i < 5; i++) {
        new AsyncResource("BOTH", AsyncHooks.executionAsyncId(), true);
      }
      assertThat(a.dropped() + b.dropped()).isZero();
    }
    assertThat(ofKind(records(one), TraceFormat.INIT)).hasSize(5);
    assertThat(ofKind(records(two), TraceFormat.INIT)).hasSize(5);
    assertThat(ExecutionState.current().recorderSlot).isNull();
  }

  @Test
  void capacity_mustBeAPowerOfTwo() {
    assertThatThrownBy(() -> TraceRecorder.start(dir.resolve("bad.trace"), 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be a power of two, at least 2, was 6");
  }

  @Test
  void putVarLong_isUnsignedLeb128() {
    byte[] buffer = new byte[10];
    assertThat(Arrays.copyOf(buffer, TraceFormat.putVarLong(buffer, 0, 0))).containsExactly(0);
    assertThat(Arrays.copyOf(buffer, TraceFormat.putVarLong(buffer, 0, 127))).containsExactly(0x7F);
    assertThat(Arrays.copyOf(buffer, TraceFormat.putVarLong(buffer, 0, 300)))
        .containsExactly(0xAC, 0x02);
    int n = TraceFormat.putVarLong(buffer, 0, -1);
    assertThat(n).isEqualTo(10);
    assertThat(varLong(buffer, new int[] {0})).isEqualTo(-1);
  }

  @Test
  void magic_isACopy() {
    TraceFormat.magic()[0] = 'X';
    assertThat(new String(TraceFormat.magic(), StandardCharsets.US_ASCII)).isEqualTo("TTHRACE");
  }
}
