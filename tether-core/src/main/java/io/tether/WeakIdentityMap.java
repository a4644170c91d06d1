package io.tether;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A concurrent map keyed by object identity that does not keep its keys alive: how the agent
 * attaches a link to the application's own task object without wrapping it (so that queues,
 * {@code remove}, {@code shutdownNow} and rejection handlers see the application's object).
 *
 * <p>Invariants: keys are {@link WeakKey}s that hash and compare by the identity of their referent;
 * lookups use a short-lived {@link Lookup} that compares the same way, so a lookup never allocates
 * a reference. Entries whose key was collected are expunged on every {@link #put}, so a task that
 * was dropped without running (its link is the value) releases the link, and with it the captured
 * context, once the task itself is collected.
 */
final class WeakIdentityMap<V> {

  private final ConcurrentHashMap<Object, V> map = new ConcurrentHashMap<>();
  private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

  V get(Object key) {
    return map.get(new Lookup(key));
  }

  V remove(Object key) {
    return map.remove(new Lookup(key));
  }

  /** Associates {@code value} with {@code key} unless {@code key} already has a value. */
  V putIfAbsent(Object key, V value) {
    expunge();
    return map.putIfAbsent(new WeakKey(key, collected), value);
  }

  /** Entries held now, stale ones expunged first: for tests of the map's own hygiene. */
  int size() {
    expunge();
    return map.size();
  }

  private void expunge() {
    Object stale;
    while ((stale = collected.poll()) != null) {
      map.remove(stale);
    }
  }

  private static final class WeakKey extends WeakReference<Object> {
    private final int hash;

    WeakKey(Object referent, ReferenceQueue<Object> queue) {
      super(referent, queue);
      hash = System.identityHashCode(referent);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (o == this) {
        return true;
      }
      Object referent = get();
      if (referent == null) {
        return false;
      }
      if (o instanceof WeakKey) {
        return ((WeakKey) o).get() == referent;
      }
      return o instanceof Lookup && ((Lookup) o).referent == referent;
    }
  }

  private static final class Lookup {
    final Object referent;
    private final int hash;

    Lookup(Object referent) {
      this.referent = referent;
      hash = System.identityHashCode(referent);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof WeakKey ? ((WeakKey) o).get() == referent
          : o instanceof Lookup && ((Lookup) o).referent == referent;
    }
  }
}
