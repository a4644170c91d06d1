package io.tether.log4j2;

import io.tether.AsyncLocalStorage;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.logging.log4j.spi.CleanableThreadContextMap;
import org.apache.logging.log4j.spi.CopyOnWrite;
import org.apache.logging.log4j.spi.ReadOnlyThreadContextMap;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.apache.logging.log4j.util.StringMap;

/**
 * Log4j 2's {@code ThreadContext} map kept in Tether's context: values put with {@code
 * ThreadContext.put} follow the async work linked after the put (pool tasks, {@code
 * CompletableFuture} stages, threads, timers), with no copying at any hop, and never reach another
 * request's work. Selected by one property, in {@code log4j2.component.properties} or as a system
 * property:
 *
 * <pre>{@code
 * log4j2.threadContextMap=io.tether.log4j2.TetherThreadContextMap
 * }</pre>
 *
 * <p>Semantics are those of {@link AsyncLocalStorage}: {@code put}, {@code remove} and {@code
 * clear} change the map with {@code enterWith}, for the rest of the current continuation and for
 * work linked after the call; work linked before keeps the values it was linked with. {@link
 * TetherThreadContext#run(String, String, Runnable)} sets a value for a callback only.
 *
 * <p>Every instance reads and writes the same storage. A stored map is frozen and never changes
 * (each change builds a new one: this class is {@link CopyOnWrite}), so Log4j's events take it as
 * their context data without copying it. {@code null} in the storage means an empty map, so that a
 * map emptied by {@code clear} or by removing its last key leaves no value behind.
 *
 * <p>Cautions: context crosses an executor only if it is wrapped ({@link io.tether.AsyncExecutors})
 * or the Tether agent is attached; the {@code ThreadContext} stack ({@code push}/{@code pop}) is
 * Log4j's own and stays thread-local.
 */
// CopyOnWrite is deprecated in Log4j 2.26 yet still the only way to tell log4j-core's context data
// injector that the map may be shared as it is; without it every event would copy the map.
@SuppressWarnings("deprecation")
public final class TetherThreadContextMap
    implements CleanableThreadContextMap, ReadOnlyThreadContextMap, CopyOnWrite {

  /** The current map: frozen, never modified once stored; {@code null} = empty. */
  static final AsyncLocalStorage<StringMap> STORAGE = new AsyncLocalStorage<>("threadContext");

  private static final StringMap EMPTY = frozen(new SortedArrayStringMap(0));

  /** Creates a view of Tether's thread context map; Log4j calls this once, by reflection. */
  public TetherThreadContextMap() {}

  @Override
  public void put(String key, String value) {
    StringMap copy = copy(STORAGE.getStore(), 1);
    copy.putValue(key, value);
    STORAGE.enterWith(frozen(copy));
  }

  @Override
  public void putAll(Map<String, String> values) {
    if (values == null || values.isEmpty()) {
      return;
    }
    StringMap copy = copy(STORAGE.getStore(), values.size());
    values.forEach(copy::putValue);
    STORAGE.enterWith(frozen(copy));
  }

  @Override
  public String get(String key) {
    StringMap map = STORAGE.getStore();
    return map == null ? null : map.getValue(key);
  }

  @Override
  public boolean containsKey(String key) {
    StringMap map = STORAGE.getStore();
    return map != null && map.containsKey(key);
  }

  @Override
  public void remove(String key) {
    StringMap map = STORAGE.getStore();
    if (map != null && map.containsKey(key)) {
      StringMap copy = copy(map, 0);
      copy.remove(key);
      STORAGE.enterWith(copy.isEmpty() ? null : frozen(copy));
    }
  }

  @Override
  public void removeAll(Iterable<String> keys) {
    StringMap map = STORAGE.getStore();
    if (map == null) {
      return;
    }
    StringMap copy = copy(map, 0);
    for (String key : keys) {
      copy.remove(key);
    }
    STORAGE.enterWith(copy.isEmpty() ? null : frozen(copy));
  }

  @Override
  public void clear() {
    if (STORAGE.getStore() != null) {
      STORAGE.enterWith(null);
    }
  }

  /** A modifiable copy of the current map, empty when nothing is set. */
  @Override
  public Map<String, String> getCopy() {
    StringMap map = STORAGE.getStore();
    return map == null ? new HashMap<>() : map.toMap();
  }

  /** An unmodifiable copy of the current map, or {@code null} when nothing is set. */
  @Override
  public Map<String, String> getImmutableMapOrNull() {
    StringMap map = STORAGE.getStore();
    return map == null ? null : Collections.unmodifiableMap(map.toMap());
  }

  @Override
  public boolean isEmpty() {
    StringMap map = STORAGE.getStore();
    return map == null || map.isEmpty();
  }

  /** The current map itself (frozen: it never changes); Log4j's events take it as it is. */
  @Override
  public StringMap getReadOnlyContextData() {
    StringMap map = STORAGE.getStore();
    return map == null ? EMPTY : map;
  }

  @Override
  public String toString() {
    StringMap map = STORAGE.getStore();
    return String.valueOf(map == null ? EMPTY : map);
  }

  private static StringMap copy(StringMap map, int extra) {
    if (map == null) {
      return new SortedArrayStringMap(Math.max(4, extra));
    }
    SortedArrayStringMap copy = new SortedArrayStringMap(map.size() + extra);
    copy.putAll(map);
    return copy;
  }

  private static StringMap frozen(StringMap map) {
    map.freeze();
    return map;
  }
}
