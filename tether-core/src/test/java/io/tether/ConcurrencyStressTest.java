package io.tether;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.NoContextLeft;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many threads run random programs of nested {@code run}/{@code exit}/{@code enterWith}, snapshots
 * and hops through wrapped executors, each checking every storage against a model of Node's
 * semantics at every step, while a hook counts before/after pairs. Seeded, so a failure repeats.
 */
@ExtendWith({NoContextLeft.class, CleanCoreState.class})
@Timeout(60)
class ConcurrencyStressTest {

  private static final int STORAGES = 5;
  private static final int THREADS = 8;
  private static final int PROGRAMS_PER_THREAD = 400;
  private static final int MAX_DEPTH = 6;

  @SuppressWarnings({"unchecked", "rawtypes"})
  private final AsyncLocalStorage<String>[] storages = new AsyncLocalStorage[STORAGES];

  private final ExecutorService pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(3));
  private final ScheduledExecutorService timers =
      AsyncExecutors.wrap(Executors.newScheduledThreadPool(1));
  private final ConcurrentLinkedQueue<Future<?>> hops = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final AtomicLong reads = new AtomicLong();

  ConcurrencyStressTest() {
    for (int i = 0; i < STORAGES; i++) {
      storages[i] = new AsyncLocalStorage<>("s" + i, i % 2 == 0 ? null : "default" + i);
    }
  }

  @Test
  void randomNestingAndHops_everyReadMatchesTheModel() throws Exception {
    AtomicLong befores = new AtomicLong();
    AtomicLong afters = new AtomicLong();
    AsyncHook hook =
        AsyncHooks.createHook(
                new AsyncHookCallbacks() {
                  @Override
                  public void before(long asyncId) {
                    befores.incrementAndGet();
                  }

                  @Override
                  public void after(long asyncId) {
                    afters.incrementAndGet();
                  }
                })
            .enable();
    try {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long seed = 0x7e7e4L * 31 + t;
        Thread thread =
            new Thread(
                () -> {
                  Random random = new Random(seed);
                  for (int p = 0; p < PROGRAMS_PER_THREAD; p++) {
                    new AsyncResource("PROGRAM")
                        .runInAsyncScope(() -> step(random, new HashMap<>(), 0, "t" + seed));
                    check(new HashMap<>(), "after program");
                  }
                });
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) {
        thread.join();
      }
      Future<?> hop;
      while ((hop = hops.poll()) != null) {
        hop.get(20, TimeUnit.SECONDS);
      }
    } finally {
      hook.disable();
      pool.shutdown();
      timers.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(timers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(failures).isEmpty();
    assertThat(reads.get()).isGreaterThan(100_000);
    assertThat(befores.get()).isEqualTo(afters.get()).isPositive();
  }

  /** Runs one random operation in a context modelled by {@code expected}, which it updates. */
  private void step(Random random, Map<Integer, String> expected, int depth, String tag) {
    check(expected, tag);
    if (depth >= MAX_DEPTH) {
      return;
    }
    int ops = 1 + random.nextInt(3);
    for (int i = 0; i < ops; i++) {
      int s = random.nextInt(STORAGES);
      String value = tag + "/" + depth + "." + i;
      switch (random.nextInt(7)) {
        case 0:
        case 1:
          {
            Map<Integer, String> inside = new HashMap<>(expected);
            inside.put(s, value);
            boolean hadEntry = expected.containsKey(s);
            String before = expected.get(s);
            storages[s].run(value, () -> step(random, inside, depth + 1, tag));
            // run restores its own storage only: other storages keep what the body entered.
            Map<Integer, String> after = new HashMap<>(inside);
            if (hadEntry) {
              after.put(s, before);
            } else {
              after.remove(s);
            }
            expected.clear();
            expected.putAll(after);
            break;
          }
        case 2:
          {
            Map<Integer, String> inside = new HashMap<>(expected);
            inside.put(s, null);
            boolean hadEntry = expected.containsKey(s);
            String before = expected.get(s);
            storages[s].exit(() -> step(random, inside, depth + 1, tag));
            if (hadEntry) {
              inside.put(s, before);
            } else {
              inside.remove(s);
            }
            expected.clear();
            expected.putAll(inside);
            break;
          }
        case 3:
          storages[s].enterWith(value);
          expected.put(s, value);
          break;
        case 4:
          {
            Map<Integer, String> linked = new HashMap<>(expected);
            long seed = random.nextLong();
            hops.add(pool.submit(() -> step(new Random(seed), linked, depth + 1, tag + ">hop")));
            break;
          }
        case 5:
          {
            Map<Integer, String> linked = new HashMap<>(expected);
            long seed = random.nextLong();
            hops.add(
                timers.schedule(
                    () -> step(new Random(seed), linked, depth + 1, tag + ">timer"),
                    random.nextInt(2),
                    TimeUnit.MILLISECONDS));
            break;
          }
        default:
          {
            Map<Integer, String> captured = new HashMap<>(expected);
            AsyncSnapshot snapshot = AsyncLocalStorage.snapshot();
            // Run it later under a different context: it must see the captured one.
            storages[s].run(
                value,
                () ->
                    snapshot.run(
                        () -> {
                          check(captured, tag + ">snapshot");
                          storages[(s + 1) % STORAGES].enterWith("inside snapshot");
                        }));
            check(expected, tag + " after snapshot");
            break;
          }
      }
      check(expected, tag);
    }
  }

  private void check(Map<Integer, String> expected, String where) {
    for (int s = 0; s < STORAGES; s++) {
      String want = expected.containsKey(s) ? expected.get(s) : (s % 2 == 0 ? null : "default" + s);
      String got = storages[s].getStore();
      reads.incrementAndGet();
      if (!Objects.equals(want, got)) {
        failures.add(where + ": storage s" + s + " expected " + want + " but read " + got);
      }
    }
  }
}
