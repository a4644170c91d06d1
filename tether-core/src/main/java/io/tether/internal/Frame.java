package io.tether.internal;

/**
 * Not public API. An immutable map from {@code AsyncLocalStorage} to value: the context of a thread
 * at one moment.
 *
 * <p>Invariants: a frame never changes after construction, so capturing the current context is one
 * reference read and a captured frame can be shared by any number of threads without
 * synchronisation. The first entry lives in fields, so a frame of one storage (the usual case) is
 * one small object and reading it takes no array access; the others are stored flat, three slots
 * each ({@code storage, epoch, value}), in the order the storages were first set, and scanned
 * linearly, which for the handful of storages an application uses beats hashing and allocates
 * nothing. The epoch is the storage's epoch when the value was set: {@code
 * AsyncLocalStorage.disable()} replaces the storage's epoch, which turns every entry set before it,
 * in every frame anywhere, into a stale one that reads as {@code null}.
 */
public final class Frame {

  public static final Frame EMPTY = new Frame(null, null, null, new Object[0]);

  private static final int SLOTS = 3;

  /** The first entry, held in fields (all null in the empty frame). */
  public final Object key0;

  public final Object epoch0;
  public final Object value0;

  /** The other entries, {@code SLOTS} slots each; shared between frames, never written. */
  private final Object[] rest;

  private Frame(Object key0, Object epoch0, Object value0, Object[] rest) {
    this.key0 = key0;
    this.epoch0 = epoch0;
    this.value0 = value0;
    this.rest = rest;
  }

  /**
   * Index of {@code storage}'s entry, or -1: 0 for the first entry, {@code SLOTS * (j + 1)} for
   * entry {@code j} of the others.
   */
  public int indexOf(Object storage) {
    if (key0 == storage) {
      return 0;
    }
    Object[] r = rest;
    for (int i = 0; i < r.length; i += SLOTS) {
      if (r[i] == storage) {
        return i + SLOTS;
      }
    }
    return -1;
  }

  public Object epochAt(int index) {
    return index == 0 ? epoch0 : rest[index - SLOTS + 1];
  }

  public Object valueAt(int index) {
    return index == 0 ? value0 : rest[index - SLOTS + 2];
  }

  /** This frame with {@code storage} mapped to {@code value} set under {@code epoch}. */
  public Frame with(Object storage, Object epoch, Object value) {
    if (key0 == null) {
      return new Frame(storage, epoch, value, rest);
    }
    int i = indexOf(storage);
    if (i == 0) {
      return epoch0 == epoch && value0 == value ? this : new Frame(storage, epoch, value, rest);
    }
    Object[] copy;
    int at;
    if (i > 0) {
      at = i - SLOTS;
      if (rest[at + 1] == epoch && rest[at + 2] == value) {
        return this;
      }
      copy = rest.clone();
    } else {
      at = rest.length;
      copy = java.util.Arrays.copyOf(rest, at + SLOTS);
      copy[at] = storage;
    }
    copy[at + 1] = epoch;
    copy[at + 2] = value;
    return new Frame(key0, epoch0, value0, copy);
  }

  /** This frame without any entry for {@code storage}. */
  public Frame without(Object storage) {
    int i = indexOf(storage);
    if (i < 0) {
      return this;
    }
    Object[] r = rest;
    if (i == 0) {
      return r.length == 0
          ? EMPTY
          : new Frame(r[0], r[1], r[2], java.util.Arrays.copyOfRange(r, SLOTS, r.length));
    }
    int at = i - SLOTS;
    Object[] copy = new Object[r.length - SLOTS];
    System.arraycopy(r, 0, copy, 0, at);
    System.arraycopy(r, at + SLOTS, copy, at, r.length - at - SLOTS);
    return new Frame(key0, epoch0, value0, copy);
  }

  /**
   * This frame with {@code storage}'s entry replaced by the entry {@code other} has for it (or
   * removed, if {@code other} has none): how {@code run} restores one storage and no other.
   */
  public Frame withEntryOf(Object storage, Frame other) {
    int j = other.indexOf(storage);
    return j < 0 ? without(storage) : with(storage, other.epochAt(j), other.valueAt(j));
  }

  /**
   * The storage of entry {@code n} ({@code 0 <= n < size()}), entries in the order their storages
   * were first set: for tools that look storages up by name, as Tether keeps no registry of them.
   */
  public Object storageAt(int n) {
    return n == 0 ? key0 : rest[(n - 1) * SLOTS];
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
      b.append(", ").append(rest[i]).append('=').append(rest[i + 2]);
    }
    return b.append('}').toString();
  }
}
