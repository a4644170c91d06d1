package io.tether.internal;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Not public API. A concurrent map keyed by object identity that does not keep its keys alive: how
 * the agent attaches a link to the application's own task object without wrapping it (so that
 * queues, {@code remove}, {@code shutdownNow} and rejection handlers see the application's object).
 *
 * <p>Invariants: keys are {@link WeakKey}s that hash and compare by the identity of their referent;
 * lookups use a short-lived {@link Lookup} that compares the same way, so a lookup never allocates
 * a reference. Entries whose key was collected are expunged by Tether's own daemon thread ({@code
 * tether-expunge}, blocked on one reference queue shared by every map), so a task or a future that
 * was dropped without running releases its link, and with it the captured context, once it is
 * collected, even when no other work follows (a server gone idle after a load).
 */
final class WeakIdentityMap<V> {

  private final ConcurrentHashMap<Object, V> map = new ConcurrentHashMap<>();

  V get(Object key) {
    return map.get(new Lookup(key));
  }

  V remove(Object key) {
    return map.remove(new Lookup(key));
  }

  /** Removes the entry of {@code key} if its value is {@code value} (by identity or equals). */
  boolean remove(Object key, V value) {
    return map.remove(new Lookup(key), value);
  }

  /** Replaces the value of {@code key} by {@code next} if it is {@code held} (as CHM does). */
  boolean replace(Object key, V held, V next) {
    return map.replace(new Lookup(key), held, next);
  }

  /** Associates {@code value} with {@code key} unless {@code key} already has a value. */
  V putIfAbsent(Object key, V value) {
    return map.putIfAbsent(new WeakKey(key, map), value);
  }

  /**
   * A key, still alive, whose value {@code wanted} accepts, or {@code null}: a scan of the whole
   * map, for the rare reports that must name the object a value is attached to.
   */
  Object keyWhere(java.util.function.Predicate<? super V> wanted) {
    for (java.util.Map.Entry<Object, V> e : map.entrySet()) {
      if (wanted.test(e.getValue())) {
        Object key = ((WeakKey) e.getKey()).get();
        if (key != null) {
          return key;
        }
      }
    }
    return null;
  }

  /** Entries held now, stale ones expunged first: for tests of the map's own hygiene. */
  int size() {
    Expunger.expungeNow();
    return map.size();
  }

  /**
   * Removes the entries of collected keys from their maps: a daemon thread blocked on the queue
   * every key is registered with, started unlinked (it pins nobody's context).
   */
  private static final class Expunger {
    static final ReferenceQueue<Object> COLLECTED = new ReferenceQueue<>();

    static {
      Nesting.startOwnThread("tether-expunge", Expunger::run);
    }

    private static void run() {
      while (true) {
        try {
          ((WeakKey) COLLECTED.remove()).expunge();
        } catch (InterruptedException e) {
          // a daemon: it runs as long as the JVM does
        }
      }
    }

    /** Expunges what is already queued, on the calling thread. */
    static void expungeNow() {
      Object stale;
      while ((stale = COLLECTED.poll()) != null) {
        ((WeakKey) stale).expunge();
      }
    }
  }

  private static final class WeakKey extends WeakReference<Object> {
    private final int hash;
    private final ConcurrentHashMap<Object, ?> owner;

    WeakKey(Object referent, ConcurrentHashMap<Object, ?> owner) {
      super(referent, Expunger.COLLECTED);
      this.hash = System.identityHashCode(referent);
      this.owner = owner;
    }

    void expunge() {
      owner.remove(this);
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
      return o instanceof WeakKey
          ? ((WeakKey) o).get() == referent
          : o instanceof Lookup && ((Lookup) o).referent == referent;
    }
  }
}
