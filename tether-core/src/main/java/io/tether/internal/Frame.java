package io.tether.internal;

/**
 * Not public API. An immutable map from {@code AsyncLocalStorage} to value: the context of a thread
 * at one moment.
 *
 * <p>Invariants: a frame never changes after construction, so capturing the current context is one
 * reference read and a captured frame can be shared by any number of threads without
 * synchronisation. A frame holds at most one entry per storage. An entry's key is not the storage
 * but its {@link Key}, the one the storage had when the value was set: {@code
 * AsyncLocalStorage.disable()} gives the storage a new key, which turns every entry set before it,
 * in every frame anywhere, into a stale one that a read by the new key does not find. The first
 * entry lives in fields, so a frame of one storage (the usual case) is one small object and reading
 * it takes no array access; the others are stored flat, two slots each ({@code key, value}), in the
 * order the storages were first set, and scanned linearly by identity, which for the handful of
 * storages an application uses beats hashing and allocates nothing.
 */
public final class Frame {

  /** A storage's key for the values it sets until it is disabled (then it takes a new one). */
  public static final class Key {
    /** The storage this key belongs to. */
    public final Object storage;

    public Key(Object storage) {
      this.storage = storage;
    }

    @Override
    public String toString() {
      return String.valueOf(storage);
    }
  }

  public static final Frame EMPTY = new Frame(null, null, new Object[0]);

  private static final int SLOTS = 2;

  /** The first entry, held in fields (both null in the empty frame). */
  public final Key key0;

  public final Object value0;

  /** The other entries, {@code SLOTS} slots each; shared between frames, never written. */
  private final Object[] rest;

  private Frame(Key key0, Object value0, Object[] rest) {
    this.key0 = key0;
    this.value0 = value0;
    this.rest = rest;
  }

  /** What {@link #get} returns where the frame has no entry under the key. */
  public static final Object NONE = new Object();

  /**
   * The value under {@code key}, or {@link #NONE}: the read of {@code getStore()}. The same scan as
   * {@link #indexOf}'s, returning the value itself: {@code indexOf} then {@link #valueAt} measured
   * slower with ten storages (56.8 and 59.3 ns against 53.6 and 53.9 for ten reads on JDK 17, 54.7
   * and 54.7 against 45.3 and 50.7 on JDK 25, alternated in one run).
   */
  public Object get(Key key) {
    if (key0 == key) {
      return value0;
    }
    Object[] r = rest;
    for (int i = 0; i < r.length; i += SLOTS) {
      if (r[i] == key) {
        return r[i + 1];
      }
    }
    return NONE;
  }

  /**
   * Index of the entry under {@code key}, or -1: 0 for the first entry, {@code SLOTS * (j + 1)} for
   * entry {@code j} of the others.
   */
  public int indexOf(Key key) {
    if (key0 == key) {
      return 0;
    }
    Object[] r = rest;
    for (int i = 0; i < r.length; i += SLOTS) {
      if (r[i] == key) {
        return i + SLOTS;
      }
    }
    return -1;
  }

  /** Index of {@code storage}'s entry under any of its keys, stale or not, or -1. */
  public int indexOfStorage(Object storage) {
    if (key0 != null && key0.storage == storage) {
      return 0;
    }
    Object[] r = rest;
    for (int i = 0; i < r.length; i += SLOTS) {
      if (((Key) r[i]).storage == storage) {
        return i + SLOTS;
      }
    }
    return -1;
  }

  private Key keyAt(int index) {
    return index == 0 ? key0 : (Key) rest[index - SLOTS];
  }

  public Object valueAt(int index) {
    return index == 0 ? value0 : rest[index - SLOTS + 1];
  }

  /** This frame with {@code key}'s storage mapped to {@code value} under {@code key}. */
  public Frame with(Key key, Object value) {
    if (key0 == null) {
      return new Frame(key, value, rest);
    }
    int i = indexOf(key);
    if (i < 0) {
      i = indexOfStorage(key.storage); // a stale entry of the storage, replaced in place
    } else if (valueAt(i) == value) {
      return this;
    }
    if (i == 0) {
      return new Frame(key, value, rest);
    }
    Object[] copy;
    int at;
    if (i > 0) {
      at = i - SLOTS;
      copy = rest.clone();
    } else {
      at = rest.length;
      copy = java.util.Arrays.copyOf(rest, at + SLOTS);
    }
    copy[at] = key;
    copy[at + 1] = value;
    return new Frame(key0, value0, copy);
  }

  /** This frame without any entry for {@code storage}. */
  public Frame without(Object storage) {
    int i = indexOfStorage(storage);
    if (i < 0) {
      return this;
    }
    Object[] r = rest;
    if (i == 0) {
      return r.length == 0
          ? EMPTY
          : new Frame((Key) r[0], r[1], java.util.Arrays.copyOfRange(r, SLOTS, r.length));
    }
    int at = i - SLOTS;
    Object[] copy = new Object[r.length - SLOTS];
    System.arraycopy(r, 0, copy, 0, at);
    System.arraycopy(r, at + SLOTS, copy, at, r.length - at - SLOTS);
    return new Frame(key0, value0, copy);
  }

  /**
   * This frame with {@code storage}'s entry replaced by the entry {@code other} has for it (or
   * removed, if {@code other} has none), stale or not: how {@code run} restores one storage and no
   * other.
   */
  public Frame withEntryOf(Object storage, Frame other) {
    int j = other.indexOfStorage(storage);
    return j < 0 ? without(storage) : with(other.keyAt(j), other.valueAt(j));
  }

  /**
   * The storage of entry {@code n} ({@code 0 <= n < size()}), entries in the order their storages
   * were first set: for tools that look storages up by name, as Tether keeps no registry of them.
   */
  public Object storageAt(int n) {
    return n == 0 ? key0.storage : ((Key) rest[(n - 1) * SLOTS]).storage;
  }

  /** The value of entry {@code n}, as {@link #storageAt} numbers them (stale or not). */
  public Object valueOfEntry(int n) {
    return valueAt(n * SLOTS);
  }

  public int size() {
    return (key0 == null ? 0 : 1) + rest.length / SLOTS;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Frame{");
    if (key0 != null) {
      b.append(key0).append('=').append(value0);
    }
    for (int i = 0; i < rest.length; i += SLOTS) {
      b.append(", ").append(rest[i]).append('=').append(rest[i + 1]);
    }
    return b.append('}').toString();
  }
}
