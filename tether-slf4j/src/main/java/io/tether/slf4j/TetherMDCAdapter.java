package io.tether.slf4j;

import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.tether.AsyncLocalStorage;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Logback's MDC kept in two {@link AsyncLocalStorage}s instead of thread locals: the key/value map
 * and the per-key stacks of {@code pushByKey}.
 *
 * <p>Invariants: a stored map or stack is never modified once stored; every change builds a new one
 * and enters it with {@code enterWith}, so a context captured at a link point keeps seeing the
 * values of that moment whatever happens after, and propagating the MDC to async work costs the
 * same reference read as any other Tether context. {@code null} in a storage means an empty MDC, so
 * that an MDC emptied by {@code clear} or by removing its last key leaves no value behind.
 *
 * <p>Extends {@link LogbackMDCAdapter} only so that Logback's events take the map through {@link
 * #getPropertyMap()} (no copy) instead of {@link #getCopyOfContextMap()}; none of the superclass's
 * thread locals is used.
 */
final class TetherMDCAdapter extends LogbackMDCAdapter {

  /** The MDC's key/value map: unmodifiable, never modified once stored; {@code null} = empty. */
  static final AsyncLocalStorage<Map<String, String>> VALUES = new AsyncLocalStorage<>("mdc");

  /** The stacks of {@code pushByKey}, by key: never modified once stored; {@code null} = none. */
  static final AsyncLocalStorage<Map<String, Stack>> STACKS = new AsyncLocalStorage<>("mdc-stacks");

  static final TetherMDCAdapter INSTANCE = new TetherMDCAdapter();

  private TetherMDCAdapter() {}

  /** One immutable stack cell: {@code value} on top of {@code below}. */
  record Stack(String value, Stack below) {}

  @Override
  public void put(String key, String val) {
    if (key == null) {
      throw new IllegalArgumentException("key cannot be null");
    }
    VALUES.enterWith(with(VALUES.getStore(), key, val));
  }

  @Override
  public String get(String key) {
    Map<String, String> map = VALUES.getStore();
    return map == null || key == null ? null : map.get(key);
  }

  @Override
  public void remove(String key) {
    Map<String, String> map = VALUES.getStore();
    if (map != null && key != null && map.containsKey(key)) {
      VALUES.enterWith(without(map, key));
    }
  }

  @Override
  public void clear() {
    if (VALUES.getStore() != null) {
      VALUES.enterWith(null);
    }
  }

  /** The current map itself, unmodifiable; Logback's events read the MDC through this. */
  @Override
  public Map<String, String> getPropertyMap() {
    return VALUES.getStore();
  }

  /** A modifiable copy, as SLF4J documents; {@code null} when the MDC is empty, as Logback does. */
  @Override
  public Map<String, String> getCopyOfContextMap() {
    Map<String, String> map = VALUES.getStore();
    return map == null ? null : new HashMap<>(map);
  }

  @Override
  public Set<String> getKeys() {
    Map<String, String> map = VALUES.getStore();
    return map == null ? null : map.keySet();
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public void setContextMap(Map contextMap) {
    VALUES.enterWith(
        contextMap == null || contextMap.isEmpty()
            ? null
            : Collections.unmodifiableMap(new HashMap<String, String>(contextMap)));
  }

  @Override
  public void pushByKey(String key, String value) {
    if (key == null) {
      return;
    }
    Map<String, Stack> stacks = STACKS.getStore();
    Stack top = stacks == null ? null : stacks.get(key);
    STACKS.enterWith(with(stacks, key, new Stack(value, top)));
  }

  @Override
  public String popByKey(String key) {
    Map<String, Stack> stacks = STACKS.getStore();
    Stack top = stacks == null || key == null ? null : stacks.get(key);
    if (top == null) {
      return null;
    }
    STACKS.enterWith(top.below() == null ? without(stacks, key) : with(stacks, key, top.below()));
    return top.value();
  }

  @Override
  public Deque<String> getCopyOfDequeByKey(String key) {
    Map<String, Stack> stacks = STACKS.getStore();
    Stack top = stacks == null || key == null ? null : stacks.get(key);
    if (top == null) {
      return null;
    }
    Deque<String> copy = new ArrayDeque<>();
    for (Stack s = top; s != null; s = s.below()) {
      copy.addLast(s.value());
    }
    return copy;
  }

  @Override
  public void clearDequeByKey(String key) {
    Map<String, Stack> stacks = STACKS.getStore();
    if (stacks != null && key != null && stacks.containsKey(key)) {
      STACKS.enterWith(without(stacks, key));
    }
  }

  private static <V> Map<String, V> with(Map<String, V> map, String key, V value) {
    Map<String, V> copy = map == null ? new HashMap<>(4) : new HashMap<>(map);
    copy.put(key, value);
    return Collections.unmodifiableMap(copy);
  }

  private static <V> Map<String, V> without(Map<String, V> map, String key) {
    if (map.size() == 1) {
      return null;
    }
    Map<String, V> copy = new HashMap<>(map);
    copy.remove(key);
    return Collections.unmodifiableMap(copy);
  }
}
