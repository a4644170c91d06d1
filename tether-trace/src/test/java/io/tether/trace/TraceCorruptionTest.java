package io.tether.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.tether.AsyncExecutors;
import io.tether.AsyncLocalStorage;
import io.tether.recorder.TraceFormat;
import io.tether.recorder.TraceRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corruption is never data: a recorded trace of several blocks, damaged at seeded random offsets. A
 * truncation is always a file cut short at exactly that byte, whose events are those of its whole
 * blocks and whose missing count is that of the block it ends in; a flipped bit or inserted bytes
 * are always corruption; deleted bytes are corruption, or (when the deletion reaches into the END
 * block, so that what is left cannot be told from a file cut short) a file cut short whose data is
 * a prefix of the original's. Never a trace without a warning, never a value that was not recorded.
 *
 * <p>{@code -Dtether.corruption.cases=N} (300 by default) cases of each kind, {@code
 * -Dtether.corruption.seed=S} another seed (a failure names the seed and the case).
 */
@Timeout(120)
class TraceCorruptionTest {

  private static final int CASES = Integer.getInteger("tether.corruption.cases", 300);
  private static final long SEED = Long.getLong("tether.corruption.seed", 20261206L);
  private static final Path NAME = Path.of("damaged.trace");

  @TempDir static Path dir;

  private static byte[] original;
  private static Trace whole;

  /** Each block of the original: where it starts, where it ends, its events. */
  private static final List<long[]> blocks = new ArrayList<>();

  private static final AsyncLocalStorage<String> request = new AsyncLocalStorage<>("request");

  @BeforeAll
  static void record() throws Exception {
    Path file = dir.resolve("recorded.trace");
    ExecutorService pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));
    try (TraceRecorder recorder = TraceRecorder.start(file)) {
      List<Future<String>> done = new ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        String id = "r" + i;
        done.add(request.call(id, () -> pool.submit(request::getStore)));
        if (i % 500 == 0) {
          done.get(i).get(10, TimeUnit.SECONDS); // let the writer catch up: blocks of all sizes
        }
      }
      for (int i = 0; i < done.size(); i++) {
        assertThat(done.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("r" + i);
      }
      assertThat(recorder.dropped()).isZero();
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    original = Files.readAllBytes(file);
    whole = Trace.read(NAME, original);
    assertThat(whole.complete()).isTrue();
    assertThat(whole.warning()).isNull();
    long events = 0;
    for (int at = TraceFormat.HEADER_LENGTH; at < original.length; ) {
      int end =
          at
              + TraceFormat.BLOCK_HEADER_LENGTH
              + TraceFormat.getInt(original, at)
              + TraceFormat.BLOCK_TRAILER_LENGTH;
      int blockEvents = TraceFormat.getInt(original, at + 4);
      blocks.add(new long[] {at, end, blockEvents, events});
      events += blockEvents;
      at = end;
    }
    assertThat(events).isEqualTo(whole.events());
    assertThat(blocks.size()).as("blocks").isGreaterThan(3);
  }

  @AfterEach
  void noContextLeft() {
    assertThat(request.getStore()).isNull();
  }

  @Test
  void truncation_atRandomOffsets_isCutShortAtThatByte_withTheEventsOfItsWholeBlocks()
      throws Exception {
    Random random = new Random(SEED);
    for (int i = 0; i < CASES; i++) {
      // the first cases at and just after each block's start, the rest anywhere
      int length =
          i < blocks.size()
              ? (int) Math.min(blocks.get(i)[0] + i % 7 * 5L, original.length - 1)
              : random.nextInt(original.length);
      Trace trace = Trace.read(NAME, Arrays.copyOf(original, length));
      String as = "seed " + SEED + ", cut to " + length + " bytes";
      assertThat(trace.cutShortAt()).as(as).isEqualTo(length);
      assertThat(trace.complete()).as(as).isFalse();
      assertThat(trace.warning()).as(as).startsWith("cut short at byte " + length + ": ");
      long[] block = blockAt(length);
      if (block == null) { // in the file's header
        assertThat(trace.events()).as(as).isZero();
        continue;
      }
      assertThat(trace.events()).as(as).isEqualTo(block[3]);
      if (length - block[0] < TraceFormat.BLOCK_HEADER_LENGTH) {
        assertThat(trace.missingEvents()).as(as).isEqualTo(Trace.NONE);
        assertThat(trace.warning()).as(as).contains("how many is not known");
      } else {
        assertThat(trace.missingEvents()).as(as).isEqualTo(block[2]);
        if (block[2] > 0) {
          assertThat(trace.warning())
              .as(as)
              .isEqualTo(
                  "cut short at byte "
                      + length
                      + ": at least the last "
                      + block[2]
                      + " events are missing");
        }
      }
      assertPrefix(trace, as);
    }
  }

  @Test
  void bitFlip_atRandomOffsets_isCorrupt() {
    Random random = new Random(SEED + 1);
    for (int i = 0; i < CASES; i++) {
      byte[] bytes = original.clone();
      int at = random.nextInt(bytes.length);
      bytes[at] ^= (byte) (1 << random.nextInt(8));
      assertCorrupt(bytes, "seed " + (SEED + 1) + ", bit flipped at byte " + at);
    }
  }

  @Test
  void insertion_atRandomOffsets_isCorrupt() {
    Random random = new Random(SEED + 2);
    for (int i = 0; i < CASES; i++) {
      int at = random.nextInt(original.length + 1);
      byte[] inserted = new byte[1 + random.nextInt(i % 4 == 0 ? 300 : 16)];
      random.nextBytes(inserted);
      if (i % 3 == 0) { // bytes of the file itself: a record, a block header repeated
        int from = random.nextInt(original.length - inserted.length);
        System.arraycopy(original, from, inserted, 0, inserted.length);
      }
      byte[] bytes = new byte[original.length + inserted.length];
      System.arraycopy(original, 0, bytes, 0, at);
      System.arraycopy(inserted, 0, bytes, at, inserted.length);
      System.arraycopy(original, at, bytes, at + inserted.length, original.length - at);
      assertCorrupt(
          bytes, "seed " + (SEED + 2) + ", " + inserted.length + " bytes inserted at byte " + at);
    }
  }

  @Test
  void wholeBlockRepeatedOrRemoved_isCorrupt() {
    Random random = new Random(SEED + 4);
    int dataBlocks = blocks.size() - 1; // the last one is END's
    for (int i = 0; i < Math.min(CASES / 5, dataBlocks); i++) {
      int b = i < 3 ? new int[] {0, dataBlocks / 2, dataBlocks - 1}[i] : random.nextInt(dataBlocks);
      int start = (int) blocks.get(b)[0];
      int end = (int) blocks.get(b)[1];
      byte[] removed = new byte[original.length - (end - start)];
      System.arraycopy(original, 0, removed, 0, start);
      System.arraycopy(original, end, removed, start, original.length - end);
      assertCorrupt(removed, "block " + b + " removed");
      if (b < dataBlocks - 1) { // else it is the file cut short at that block
        long endBlock = blocks.get(dataBlocks)[0];
        assertCorrupt(
            Arrays.copyOf(removed, (int) endBlock - (end - start)),
            "block " + b + " removed, the END block cut off");
      }
      byte[] repeated = new byte[original.length + (end - start)];
      System.arraycopy(original, 0, repeated, 0, end);
      System.arraycopy(original, start, repeated, end, original.length - start);
      assertCorrupt(repeated, "block " + b + " repeated");
    }
  }

  @Test
  void deletion_atRandomOffsets_isCorrupt_orCutShortWhereItReachesTheEndBlock() throws Exception {
    Random random = new Random(SEED + 3);
    long endBlock = blocks.get(blocks.size() - 1)[0];
    int cutShort = 0;
    for (int i = 0; i < CASES; i++) {
      int length = 1 + random.nextInt(i % 4 == 0 ? 300 : i % 4 == 1 ? 64 : 16);
      // a quarter of the cases near the end, where blocks are few and the END block is
      int at =
          i % 4 == 1
              ? original.length - 1 - random.nextInt(Math.min(original.length, 400))
              : random.nextInt(original.length);
      length = Math.min(length, original.length - at);
      byte[] bytes = new byte[original.length - length];
      System.arraycopy(original, 0, bytes, 0, at);
      System.arraycopy(original, at + length, bytes, at, original.length - at - length);
      String as = "seed " + (SEED + 3) + ", " + length + " bytes deleted at byte " + at;
      if (at + length <= endBlock) {
        assertCorrupt(bytes, as);
        continue;
      }
      try {
        Trace trace = Trace.read(NAME, bytes);
        cutShort++;
        assertThat(trace.warning()).as(as).startsWith("cut short at byte ");
        assertThat(trace.complete()).as(as).isFalse();
        assertPrefix(trace, as);
      } catch (TraceFormatException expected) {
        assertOneLine(expected, as);
      }
    }
    assertThat(cutShort).as("deletions reaching into the END block read as cut short").isPositive();
  }

  @Test
  void bytesMissingFromTheLastBlockBeforeEnd_isCorrupt_notCutShort() {
    long[] last = blocks.get(blocks.size() - 2);
    int at = (int) (last[0] + last[1]) / 2;
    // Within the block: a deletion that reaches into the END block reads as a file cut short (a
    // documented limit), and the last data block is as small as the writer's last catch-up made it.
    int most = (int) Math.min(200, last[1] - at);
    assertThat(most).as("bytes from the middle of the last data block to its end").isPositive();
    for (int length = 1; length < most; length += 7) {
      byte[] bytes = new byte[original.length - length];
      System.arraycopy(original, 0, bytes, 0, at);
      System.arraycopy(original, at + length, bytes, at, original.length - at - length);
      assertCorrupt(bytes, length + " bytes deleted at byte " + at + ", in the last data block");
    }
  }

  @Test
  void emptyFileAndHeaderAlone_areCutShort_notCorrupt() throws Exception {
    assertThat(Trace.read(NAME, new byte[0]).warning())
        .isEqualTo(
            "cut short at byte 0: the last events are missing (how many is not known: the file"
                + " ends between blocks or in a block's header)");
    assertThat(Trace.read(NAME, Arrays.copyOf(original, TraceFormat.HEADER_LENGTH)).cutShortAt())
        .isEqualTo(TraceFormat.HEADER_LENGTH);
    assertThatThrownBy(
            () -> Trace.read(NAME, "TTHRACX".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageStartingWith(NAME + ": corrupt at byte 0: no TTHRACE or FLR header");
  }

  private static void assertCorrupt(byte[] bytes, String as) {
    try {
      Trace trace = Trace.read(NAME, bytes);
      fail(
          as
              + ": read as a trace of "
              + trace.events()
              + " events"
              + (trace.warning() == null ? "" : " with the warning " + trace.warning())
              + ", not as corrupt");
    } catch (TraceFormatException expected) {
      assertOneLine(expected, as);
      assertThat(expected.offset()).as(as).isBetween(0L, (long) bytes.length);
    } catch (Exception e) {
      throw new AssertionError(as + ": " + e, e);
    }
  }

  private static void assertOneLine(TraceFormatException e, String as) {
    assertThat(e.getMessage())
        .as(as)
        .startsWith(NAME + ": corrupt at byte " + e.offset() + ": ")
        .doesNotContain("\n");
  }

  /** The block of the original that byte {@code at} is in (or starts), or null in the header. */
  private static long[] blockAt(long at) {
    long[] found = null;
    for (long[] block : blocks) {
      if (block[0] <= at) {
        found = block;
      }
    }
    return found;
  }

  /** Everything {@code partial} holds is as the original recorded it. */
  private static void assertPrefix(Trace partial, String as) {
    assertThat(partial.events()).as(as).isLessThanOrEqualTo(whole.events());
    assertThat(whole.threadNames()).as(as).startsWith(partial.threadNames().toArray(new String[0]));
    for (Trace.Resource r : partial.resources()) {
      Trace.Resource o = whole.resource(r.id);
      assertThat(o).as(as + ": resource " + r.id).isNotNull();
      if (r.init != Trace.NONE) {
        assertThat(List.of(r.init, r.trigger, r.type, r.callSite, r.initThread))
            .as(as)
            .isEqualTo(List.of(o.init, o.trigger, o.type, o.callSite, o.initThread));
      }
      assertThat(r.runCount()).as(as).isLessThanOrEqualTo(o.runCount());
      for (int run = 0; run < r.runCount(); run++) {
        assertThat(r.runBefore(run)).as(as).isEqualTo(o.runBefore(run));
        assertThat(r.runThread(run)).as(as).isEqualTo(o.runThread(run));
        assertThat(r.runAfter(run)).as(as).isIn(o.runAfter(run), Trace.NONE);
      }
      assertThat(r.destroy).as(as).isIn(o.destroy, Trace.NONE);
      assertThat(r.resolve).as(as).isIn(o.resolve, Trace.NONE);
    }
  }
}
