package io.tether.agent.fakelib;

/** A second interface a library checks with {@code instanceof}. */
public interface Ordered {
  int order();
}
