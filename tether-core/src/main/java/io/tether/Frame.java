package io.tether;

/**
 * An immutable map from {@link AsyncLocalStorage} to value: the context of a thread at one moment.
 *
 * <p>Invariants: a frame never changes after construction, so capturing the current context is one
 * reference read and a captured frame can be shared by any number of threads without
 * synchronisation. Entries are stored flat, three slots each ({@code storage, epoch, value}), in the
 * order the storages were first set; lookups scan linearly, which for the handful of storages an
 * application uses beats hashing and allocates nothing. The epoch is the storage's epoch when the
 * value was set: {@link AsyncLocalStorage#disable()} replaces the storage's epoch, which turns every
 * entry set before it, in every frame anywhere, into a stale one that reads as {@code null}. The
 * first entry is also kept in fields, so that reading the first storage an application sets (often
 * its only one) is two loads shorter than a scan.
 */
final class Frame {

  static final Frame EMPTY = new Frame(new Object[0]);

  private static final int SLOTS = 3;

  private final Object[] slots;
  /** Copies of {@code slots[0..2]}, or nulls when the frame is empty. */
  final Object key0;
  final Object epoch0;
  final Object value0;

  private Frame(Object[] slots) {
    this.slots = slots;
    boolean empty = slots.length == 0;
    key0 = empty ? null : slots[0];
    epoch0 = empty ? null : slots[1];
    value0 = empty ? null : slots[2];
  }

  /** Index of {@code storage}'s entry, or -1. */
  int indexOf(AsyncLocalStorage<?> storage) {
    Object[] s = slots;
    for (int i = 0; i < s.length; i += SLOTS) {
      if (s[i] == storage) {
        return i;
      }
    }
    return -1;
  }

  Object epochAt(int index) {
    return slots[index + 1];
  }

  Object valueAt(int index) {
    return slots[index + 2];
  }

  /** This frame with {@code storage} mapped to {@code value} set under {@code epoch}. */
  Frame with(AsyncLocalStorage<?> storage, Object epoch, Object value) {
    Object[] s = slots;
    int i = indexOf(storage);
    Object[] copy;
    if (i >= 0) {
      if (s[i + 1] == epoch && s[i + 2] == value) {
        return this;
      }
      copy = s.clone();
    } else {
      copy = new Object[s.length + SLOTS];
      System.arraycopy(s, 0, copy, 0, s.length);
      i = s.length;
      copy[i] = storage;
    }
    copy[i + 1] = epoch;
    copy[i + 2] = value;
    return new Frame(copy);
  }

  /** This frame without any entry for {@code storage}. */
  Frame without(AsyncLocalStorage<?> storage) {
    int i = indexOf(storage);
    if (i < 0) {
      return this;
    }
    Object[] s = slots;
    if (s.length == SLOTS) {
      return EMPTY;
    }
    Object[] copy = new Object[s.length - SLOTS];
    System.arraycopy(s, 0, copy, 0, i);
    System.arraycopy(s, i + SLOTS, copy, i, s.length - i - SLOTS);
    return new Frame(copy);
  }

  /**
   * This frame with {@code storage}'s entry replaced by the entry {@code other} has for it (or
   * removed, if {@code other} has none): how {@code run} restores one storage and no other.
   */
  Frame withEntryOf(AsyncLocalStorage<?> storage, Frame other) {
    int j = other.indexOf(storage);
    return j < 0 ? without(storage) : with(storage, other.epochAt(j), other.valueAt(j));
  }

  int size() {
    return slots.length / SLOTS;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Frame{");
    for (int i = 0; i < slots.length; i += SLOTS) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(slots[i]).append('=').append(slots[i + 2]);
    }
    return b.append('}').toString();
  }
}
