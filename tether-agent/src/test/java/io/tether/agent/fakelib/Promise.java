package io.tether.agent.fakelib;

import java.util.ArrayList;
import java.util.List;

/**
 * A library's promise, as in Netty or Vert.x: listeners registered with it run on whichever thread
 * completes it. Declared in the test links ({@code META-INF/tether/links}).
 */
public class Promise {
  /** Listeners the library treats specially by their class: declared {@code except}, unwrapped. */
  public interface Raw extends Listener {}

  private final List<Listener> listeners = new ArrayList<>();
  private String value;

  public synchronized void addListener(Listener listener) {
    if (value != null) {
      listener.done(value);
      return;
    }
    listeners.add(listener);
  }

  /** A registration whose parameter type was erased to {@code Object} (a generic library's). */
  public void addErased(Object listener) {
    addListener((Listener) listener);
  }

  public void addListeners(Listener... more) {
    for (Listener l : more) {
      addListener(l);
    }
  }

  /** What a library may do with a listener: order it, if it asks to be. */
  public synchronized List<Integer> orders() {
    List<Integer> orders = new ArrayList<>();
    for (Listener l : listeners) {
      orders.add(l instanceof Ordered ? ((Ordered) l).order() : -1);
    }
    return orders;
  }

  public synchronized List<String> descriptions() {
    List<String> out = new ArrayList<>();
    for (Listener l : listeners) {
      out.add(l.describe());
    }
    return out;
  }

  public void complete(String v) {
    List<Listener> now;
    synchronized (this) {
      value = v;
      now = new ArrayList<>(listeners);
      listeners.clear();
    }
    for (Listener l : now) {
      l.done(v);
    }
  }
}
