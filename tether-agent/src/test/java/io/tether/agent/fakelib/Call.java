package io.tether.agent.fakelib;

import java.util.concurrent.atomic.AtomicReference;

/** A call whose listener is given at start and called later by whoever delivers messages. */
public abstract class Call {
  final AtomicReference<CallListener> listener = new AtomicReference<>();

  public abstract void start(CallListener listener);

  public void deliver(String message) {
    listener.get().onMessage(message);
  }

  public void close(int status) {
    listener.get().onClose(status);
  }

  /** The implementation: declared with its subtypes ({@code Call+}). */
  public static final class Impl extends Call {
    @Override
    public void start(CallListener l) {
      listener.set(l);
    }
  }
}
