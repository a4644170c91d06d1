package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncLocalStorage;
import org.junit.jupiter.api.Test;

class FrameTest {

  private final AsyncLocalStorage<String> a = new AsyncLocalStorage<>("a");
  private final AsyncLocalStorage<String> b = new AsyncLocalStorage<>("b");
  private final AsyncLocalStorage<String> c = new AsyncLocalStorage<>("c");
  private final Frame.Key ka = new Frame.Key(a);
  private final Frame.Key kb = new Frame.Key(b);
  private final Frame.Key kc = new Frame.Key(c);

  private static Object value(Frame f, Frame.Key k) {
    int i = f.indexOf(k);
    return i < 0 ? "<none>" : f.valueAt(i);
  }

  @Test
  void with_addsReplacesAndKeepsOtherEntries() {
    Frame f = Frame.EMPTY.with(ka, "a1").with(kb, "b1").with(kc, "c1");
    assertThat(f.size()).isEqualTo(3);
    Frame g = f.with(kb, "b2");
    assertThat(value(g, ka)).isEqualTo("a1");
    assertThat(value(g, kb)).isEqualTo("b2");
    assertThat(value(g, kc)).isEqualTo("c1");
    assertThat(value(f, kb)).as("frames are immutable").isEqualTo("b1");
    assertThat(f.with(kc, "c1")).as("same entry, same frame").isSameAs(f);
    assertThat(f.with(ka, "a1")).isSameAs(f);
  }

  @Test
  void with_aNewKeyReplacesTheStorageStaleEntryInPlace() {
    Frame f = Frame.EMPTY.with(ka, "a1").with(kb, "b1").with(kc, "c1");
    for (Frame.Key stale : new Frame.Key[] {ka, kb, kc}) {
      Frame.Key fresh = new Frame.Key(stale.storage);
      Frame g = f.with(fresh, "new");
      assertThat(g.size()).as("one entry per storage").isEqualTo(3);
      assertThat(value(g, fresh)).isEqualTo("new");
      assertThat(value(g, stale)).isEqualTo("<none>");
      assertThat(g.indexOfStorage(stale.storage)).isEqualTo(g.indexOf(fresh));
    }
  }

  @Test
  void storageAt_listsEntriesInTheOrderFirstSet() {
    Frame f = Frame.EMPTY.with(kb, "b1").with(ka, "a1").with(kc, "c1");
    assertThat(f.storageAt(0)).isSameAs(b);
    assertThat(f.storageAt(1)).isSameAs(a);
    assertThat(f.storageAt(2)).isSameAs(c);
    assertThat(f.without(b).storageAt(0)).isSameAs(a);
  }

  @Test
  void without_removesFirstMiddleAndLast_promotingTheNextToFirst() {
    Frame f = Frame.EMPTY.with(ka, "a1").with(kb, "b1").with(kc, "c1");
    Frame noA = f.without(a);
    assertThat(noA.key0).isSameAs(kb);
    assertThat(value(noA, ka)).isEqualTo("<none>");
    assertThat(value(noA, kc)).isEqualTo("c1");
    Frame noB = f.without(b);
    assertThat(value(noB, ka)).isEqualTo("a1");
    assertThat(value(noB, kb)).isEqualTo("<none>");
    assertThat(value(noB, kc)).isEqualTo("c1");
    assertThat(f.without(c).size()).isEqualTo(2);
    assertThat(Frame.EMPTY.with(ka, "x").without(a)).isSameAs(Frame.EMPTY);
    assertThat(f.without(new AsyncLocalStorage<>())).isSameAs(f);
  }

  @Test
  void withEntryOf_restoresOneStorageOnly_staleEntriesToo() {
    Frame before = Frame.EMPTY.with(ka, "a0");
    Frame now = before.with(ka, "a1").with(kb, "b1");
    Frame restored = now.withEntryOf(a, before);
    assertThat(value(restored, ka)).isEqualTo("a0");
    assertThat(value(restored, kb)).isEqualTo("b1");
    Frame dropped = now.withEntryOf(b, before);
    assertThat(value(dropped, kb)).isEqualTo("<none>");
    assertThat(value(dropped, ka)).isEqualTo("a1");
    assertThat(restored.toString()).contains("a0", "b1");
    Frame.Key fresh = new Frame.Key(a);
    Frame back = before.with(fresh, "a2").withEntryOf(a, before);
    assertThat(value(back, ka)).as("the stale entry comes back as it was").isEqualTo("a0");
    assertThat(back.size()).isEqualTo(1);
  }
}
