package io.tether.agent.fakelib;

/** A listener of {@link Promise}: a third-party library's callback interface. */
public interface Listener {
  void done(String value);

  /** A default method: the wrapper must call the callback's own override. */
  default String describe() {
    return "listener";
  }
}
