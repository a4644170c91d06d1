package io.tether.agent.fakelib;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A library's event loop: its thread is started lazily by the first task (declared {@code
 * threads}), and tasks are handed over through its own queue, never {@code Executor.execute}
 * (declared {@code task}).
 */
public final class Loop {
  private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
  private Thread thread;

  public void submit(Runnable task) {
    queue.add(task);
    startIfNeeded();
  }

  /** A hand-off no declaration names: the task runs in the loop thread's own context. */
  public void submitUndeclared(Runnable task) {
    queue.add(task);
    startIfNeeded();
  }

  private synchronized void startIfNeeded() {
    if (thread == null) {
      thread = new Thread(this::loop, "fake-loop");
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void loop() {
    try {
      while (true) {
        queue.take().run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
