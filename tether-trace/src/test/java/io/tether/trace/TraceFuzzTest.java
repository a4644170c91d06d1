package io.tether.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tether.recorder.TraceFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;

/**
 * The trace reader on any bytes: a trace (whole, or cut short with its warning) or a one-line
 * {@link TraceFormatException}, never another exception, a hang or an allocation the file's lengths
 * did not bound. Under {@code mvn verify} these run the inputs kept in {@code TraceFuzzTestInputs}
 * (the seeds and every crash found); {@code scripts/fuzz.sh} fuzzes them.
 */
class TraceFuzzTest {

  private static final Path NAME = Path.of("fuzz.trace");

  /** Any bytes as a file. */
  @FuzzTest
  @Timeout(10)
  void read_anyBytes(byte[] bytes) throws IOException {
    check(bytes);
  }

  /**
   * Any bytes as the payloads of blocks whose checksums match (the first byte: how many events the
   * first block claims; a 0xFF byte ends a block), so that the records inside get fuzzed too, not
   * only the checksums that guard them.
   */
  @FuzzTest
  @Timeout(10)
  void read_anyRecordsInValidBlocks(byte[] bytes) throws IOException {
    byte[] file = TraceFormat.header(1_700_000_000_000L);
    int start = Math.min(1, bytes.length);
    int number = 0;
    for (int i = start; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == (byte) 0xFF) {
        int events = number == 0 && bytes.length > 0 ? bytes[0] & 0x0F : 0;
        file = append(file, Arrays.copyOfRange(bytes, start, i), events, number++);
        start = i + 1;
      }
    }
    check(file);
  }

  private static byte[] append(byte[] file, byte[] payload, int events, int number) {
    byte[] block =
        new byte
            [TraceFormat.BLOCK_HEADER_LENGTH + payload.length + TraceFormat.BLOCK_TRAILER_LENGTH];
    System.arraycopy(payload, 0, block, TraceFormat.BLOCK_HEADER_LENGTH, payload.length);
    int length = TraceFormat.seal(block, payload.length, events, number);
    byte[] longer = Arrays.copyOf(file, file.length + length);
    System.arraycopy(block, 0, longer, file.length, length);
    return longer;
  }

  private static void check(byte[] bytes) throws IOException {
    Trace trace;
    try {
      trace = Trace.read(NAME, bytes);
    } catch (TraceFormatException e) {
      assertThat(e.getMessage())
          .startsWith(NAME + ": corrupt at byte " + e.offset() + ": ")
          .doesNotContain("\n", "\r");
      assertThat(e.offset()).isBetween(0L, (long) bytes.length);
      return;
    }
    if (trace.warning() == null) {
      assertThat(trace.complete()).isTrue();
    } else {
      assertThat(trace.complete()).isFalse();
      assertThat(trace.cutShortAt()).isEqualTo(bytes.length);
      assertThat(trace.warning()).startsWith("cut short at byte " + bytes.length + ": ");
    }
    // what the tools do with a trace must not fail either
    java.io.Writer sink = java.io.Writer.nullWriter();
    TraceExport.tree(trace, sink);
    TraceExport.chrome(trace, sink);
    HtmlReport.write(trace, sink);
  }
}
