package io.tether.testing;

import io.tether.AsyncLocalStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What callbacks saw of one storage, from any thread: each sighting reads {@code label=value}
 * ({@code null} for no value), the label naming the callback, so that a test can tell which
 * callback saw what whatever the order they ran in.
 */
public final class Sightings {

  private final AsyncLocalStorage<?> storage;
  private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

  /** Sightings of {@code storage}. */
  public Sightings(AsyncLocalStorage<?> storage) {
    this.storage = storage;
  }

  /** Records what the callback {@code label} sees now. */
  public void record(String label) {
    seen.add(label + "=" + storage.getStore());
  }

  /** Adds a sighting made elsewhere, as it is. */
  public void add(String sighting) {
    seen.add(sighting);
  }

  /** A task that records what it sees under {@code label}. */
  public Runnable task(String label) {
    return () -> record(label);
  }

  /** A callable that records what it sees under {@code label}. */
  public Callable<Void> callable(String label) {
    return () -> {
      record(label);
      return null;
    };
  }

  /** Waits for the next sighting. */
  public String awaitOne() throws InterruptedException {
    return await(1).get(0);
  }

  /** Waits for the next {@code count} sightings, each within {@link Waits#TIMEOUT}. */
  public List<String> await(int count) throws InterruptedException {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String next = seen.poll(Waits.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (next == null) {
        throw new AssertionError("only " + out.size() + " of " + count + " callbacks ran: " + out);
      }
      out.add(next);
    }
    return out;
  }
}
