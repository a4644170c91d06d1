package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class WeakIdentityMapTest {

  @Test
  void keys_compareByIdentityNotEquals() {
    WeakIdentityMap<String> map = new WeakIdentityMap<>();
    String a = new String("task");
    String b = new String("task");
    assertThat(map.putIfAbsent(a, "first")).isNull();
    assertThat(map.putIfAbsent(a, "again")).isEqualTo("first");
    assertThat(map.get(b)).as("an equal but distinct key").isNull();
    assertThat(map.get(a)).isEqualTo("first");
    assertThat(map.remove(a)).isEqualTo("first");
    assertThat(map.get(a)).isNull();
  }

  @Test
  void collectedKey_isExpungedAndReleasesItsValue() throws Exception {
    WeakIdentityMap<Object> map = new WeakIdentityMap<>();
    WeakReference<Object> value = putAndDrop(map);
    for (int i = 0; i < 100 && (map.size() > 0 || value.get() != null); i++) {
      System.gc();
      Thread.sleep(10);
    }
    assertThat(map.size()).isZero();
    assertThat(value.get()).as("the value of a collected key").isNull();
  }

  @Test
  void manyKeys_growTheTables_andEachKeepsItsValueUntilRemoved() {
    WeakIdentityMap<Integer> map = new WeakIdentityMap<>();
    Object[] keys = new Object[5_000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new Object();
      assertThat(map.putIfAbsent(keys[i], i)).isNull();
    }
    assertThat(map.size()).isEqualTo(keys.length);
    for (int i = 0; i < keys.length; i++) {
      assertThat(map.get(keys[i])).isEqualTo(i);
    }
    for (int i = 0; i < keys.length; i += 2) {
      assertThat(map.remove(keys[i], (Integer) (i + 1))).as("another value").isFalse();
      assertThat(map.remove(keys[i], map.get(keys[i]))).isTrue();
      assertThat(map.replace(keys[i + 1], i, -i)).as("not its value").isFalse();
      assertThat(map.replace(keys[i + 1], map.get(keys[i + 1]), -(i + 1))).isTrue();
    }
    assertThat(map.size()).isEqualTo(keys.length / 2);
    for (int i = 0; i < keys.length; i++) {
      assertThat(map.get(keys[i])).isEqualTo(i % 2 == 0 ? null : -i);
    }
    assertThat(map.keyWhere(v -> v == -4_999)).isSameAs(keys[4_999]);
  }

  /**
   * Lock-free lookups while other threads insert and remove keys of the same stripes, growing their
   * tables over and over: a key present throughout is found every time.
   */
  @Test
  void lookups_neverMissAKeyThatStays_whileOthersComeAndGoAndTablesGrow() throws Exception {
    for (int round = 0; round < 20; round++) {
      WeakIdentityMap<Object> map = new WeakIdentityMap<>();
      Object[] stay = new Object[64];
      for (int i = 0; i < stay.length; i++) {
        stay[i] = new Object();
        map.putIfAbsent(stay[i], stay[i]);
      }
      java.util.concurrent.atomic.AtomicBoolean churning =
          new java.util.concurrent.atomic.AtomicBoolean(true);
      java.util.concurrent.atomic.AtomicInteger misses =
          new java.util.concurrent.atomic.AtomicInteger();
      Thread reader =
          new Thread(
              () -> {
                while (churning.get()) {
                  for (Object key : stay) {
                    if (map.get(key) != key) {
                      misses.incrementAndGet();
                    }
                  }
                }
              });
      reader.start();
      Object[] come = new Object[4_000];
      for (int i = 0; i < come.length; i++) {
        come[i] = new Object();
        map.putIfAbsent(come[i], come[i]);
        if (i % 3 == 0) {
          map.remove(come[i / 2]);
        }
      }
      churning.set(false);
      reader.join();
      assertThat(misses.get()).as("lookups of keys present throughout that missed").isZero();
    }
  }

  /** In its own frame, so that no stack slot of the test keeps the key or the value. */
  private static WeakReference<Object> putAndDrop(WeakIdentityMap<Object> map) {
    Object key = new Object();
    Object value = new Object();
    map.putIfAbsent(key, value);
    assertThat(map.size()).isEqualTo(1);
    return new WeakReference<>(value);
  }
}
