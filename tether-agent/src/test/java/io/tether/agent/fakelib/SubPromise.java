package io.tether.agent.fakelib;

/** A subclass that overrides the registration and calls the declared one: wrapped once. */
public class SubPromise extends Promise {
  @Override
  public synchronized void addListener(Listener listener) {
    super.addListener(listener);
  }
}
