package io.tether.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncHooks;
import io.tether.AsyncResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder on its own: what it writes, checked record by record against {@link TraceFormat}
 * (kind, length, payload), not through the reader, which is tether-trace's; the reader's side,
 * resources and exports, is tether-trace's {@code TraceRoundTripTest}.
 */
@Timeout(30)
class TraceRecorderTest {

  @TempDir
  Path dir;

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

  }

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

  /** The records of a whole file, after checking its header. */
  private static List<Rec> records(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    byte[] magic = TraceFormat.magic();
    assertThat(Arrays.copyOf(bytes, magic.length)).isEqualTo(magic);
    assertThat(bytes[magic.length]).isEqualTo((byte) TraceFormat.VERSION);
    int[] position = {magic.length + 1};
    assertThat(varLong(bytes, position)).as("start wall time")
        .isGreaterThan(System.currentTimeMillis() - 3_600_000L);
    List<Rec> records = new ArrayList<>();
    while (position[0] < bytes.length) {
      int kind = bytes[position[0]++];
      int length = (int) varLong(bytes, position);
      records.add(new Rec(kind, Arrays.copyOfRange(bytes, position[0], position[0] + length)));
      position[0] += length;
    }
    assertThat(position[0]).as("the last record ends at the end of the file")
        .isEqualTo(bytes.length);
    return records;
  }

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
        new AsyncResource("BURST", AsyncHooks.executionAsyncId(), true);  // one init each; the writer is held
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
}
