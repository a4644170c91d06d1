package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncLocalStorage;
import org.junit.jupiter.api.Test;

class FrameTest {

  private final AsyncLocalStorage<String> a = new AsyncLocalStorage<>("a");
  private final AsyncLocalStorage<String> b = new AsyncLocalStorage<>("b");
  private final AsyncLocalStorage<String> c = new AsyncLocalStorage<>("c");
  private final Object epoch = new Object();

  private static Object value(Frame f, AsyncLocalStorage<?> s) {
    int i = f.indexOf(s);
    return i < 0 ? "<none>" : f.valueAt(i);
  }

  @Test
  void with_addsReplacesAndKeepsOtherEntries() {
    Frame f = Frame.EMPTY.with(a, epoch, "a1").with(b, epoch, "b1").with(c, epoch, "c1");
    assertThat(f.size()).isEqualTo(3);
    Frame g = f.with(b, epoch, "b2");
    assertThat(value(g, a)).isEqualTo("a1");
    assertThat(value(g, b)).isEqualTo("b2");
    assertThat(value(g, c)).isEqualTo("c1");
    assertThat(value(f, b)).as("frames are immutable").isEqualTo("b1");
    assertThat(f.with(c, epoch, "c1")).as("same entry, same frame").isSameAs(f);
    assertThat(f.with(a, epoch, "a1")).isSameAs(f);
    assertThat(f.with(a, new Object(), "a1").epochAt(0)).isNotSameAs(epoch);
  }

  @Test
  void storageAt_listsEntriesInTheOrderFirstSet() {
    Frame f = Frame.EMPTY.with(b, epoch, "b1").with(a, epoch, "a1").with(c, epoch, "c1");
    assertThat(f.storageAt(0)).isSameAs(b);
    assertThat(f.storageAt(1)).isSameAs(a);
    assertThat(f.storageAt(2)).isSameAs(c);
    assertThat(f.without(b).storageAt(0)).isSameAs(a);
  }

  @Test
  void without_removesFirstMiddleAndLast_promotingTheNextToFirst() {
    Frame f = Frame.EMPTY.with(a, epoch, "a1").with(b, epoch, "b1").with(c, epoch, "c1");
    Frame noA = f.without(a);
    assertThat(noA.key0).isSameAs(b);
    assertThat(value(noA, a)).isEqualTo("<none>");
    assertThat(value(noA, c)).isEqualTo("c1");
    Frame noB = f.without(b);
    assertThat(value(noB, a)).isEqualTo("a1");
    assertThat(value(noB, b)).isEqualTo("<none>");
    assertThat(value(noB, c)).isEqualTo("c1");
    assertThat(f.without(c).size()).isEqualTo(2);
    assertThat(Frame.EMPTY.with(a, epoch, "x").without(a)).isSameAs(Frame.EMPTY);
    assertThat(f.without(new AsyncLocalStorage<>())).isSameAs(f);
  }

  @Test
  void withEntryOf_restoresOneStorageOnly() {
    Frame before = Frame.EMPTY.with(a, epoch, "a0");
    Frame now = before.with(a, epoch, "a1").with(b, epoch, "b1");
    Frame restored = now.withEntryOf(a, before);
    assertThat(value(restored, a)).isEqualTo("a0");
    assertThat(value(restored, b)).isEqualTo("b1");
    Frame dropped = now.withEntryOf(b, before);
    assertThat(value(dropped, b)).isEqualTo("<none>");
    assertThat(value(dropped, a)).isEqualTo("a1");
    assertThat(restored.toString()).contains("a0", "b1");
  }
}
