package io.tether.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A count of things seen from any thread, keeping the first few: what a long run reports of its
 * faults without holding every one of them.
 *
 * <pre>{@code
 * Tally<String> wrong = new Tally<>(100);
 * ... wrong.add("response 17: " + answer) ...
 * assertThat(wrong.first()).as("wrong answers (%d in all)", wrong.count()).isEmpty();
 * }</pre>
 *
 * @param <T> what is counted
 */
public final class Tally<T> {

  private final int kept;
  private final AtomicLong count = new AtomicLong();
  private final List<T> first = new ArrayList<>();

  /**
   * A tally that keeps the first {@code kept} things added.
   *
   * @throws IllegalArgumentException if {@code kept} is negative
   */
  public Tally(int kept) {
    if (kept < 0) {
      throw new IllegalArgumentException("kept must not be negative, was " + kept);
    }
    this.kept = kept;
  }

  /** Counts {@code thing}, and keeps it if it is among the first. */
  public void add(T thing) {
    if (count.incrementAndGet() <= kept) {
      synchronized (first) {
        first.add(thing);
      }
    }
  }

  /** How many things were added. */
  public long count() {
    return count.get();
  }

  /** The first things added, at most as many as kept, in the order their adds were counted. */
  public List<T> first() {
    synchronized (first) {
      return List.copyOf(first);
    }
  }
}
