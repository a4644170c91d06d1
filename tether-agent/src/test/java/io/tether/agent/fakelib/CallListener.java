package io.tether.agent.fakelib;

/** An abstract listener class, as gRPC's {@code ClientCall.Listener}: the wrapper extends it. */
public abstract class CallListener {
  public abstract void onMessage(String message);

  public void onClose(int status) {}

  protected String name() {
    return "call";
  }
}
