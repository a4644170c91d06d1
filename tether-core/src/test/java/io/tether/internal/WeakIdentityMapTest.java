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

  /** In its own frame, so that no stack slot of the test keeps the key or the value. */
  private static WeakReference<Object> putAndDrop(WeakIdentityMap<Object> map) {
    Object key = new Object();
    Object value = new Object();
    map.putIfAbsent(key, value);
    assertThat(map.size()).isEqualTo(1);
    return new WeakReference<>(value);
  }
}
