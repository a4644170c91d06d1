package io.tether.opentelemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import io.tether.AsyncLocalStorage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OpenTelemetry's current {@link Context} as the value of one Tether storage.
 *
 * <p>{@link #attach} is an {@code enterWith}: the context is current for the rest of the enclosing
 * continuation and in all work linked after it, and the returned scope puts the previous context
 * back. Tether confines each thread's frame to that thread and restores it around every
 * continuation, so no field here needs synchronisation, and a scope left open inside a task ends
 * with that task. Like OpenTelemetry's {@code ThreadLocalContextStorage}, a scope closed out of
 * order is logged and still restores what it replaced.
 */
final class TetherContextStorage implements ContextStorage {

  static final TetherContextStorage INSTANCE = new TetherContextStorage();

  private static final Logger logger = Logger.getLogger(TetherContextStorage.class.getName());

  /** The storage whose value is {@code Context.current()}; {@code null} means the root context. */
  static final AsyncLocalStorage<Context> CURRENT =
      new AsyncLocalStorage<>("opentelemetry.context");

  private TetherContextStorage() {}

  @Override
  public Scope attach(Context toAttach) {
    if (toAttach == null) {
      return Scope.noop();
    }
    Context before = CURRENT.getStore();
    if (before == toAttach) {
      return Scope.noop();
    }
    CURRENT.enterWith(toAttach);
    return new TetherScope(before, toAttach);
  }

  @Override
  public Context current() {
    return CURRENT.getStore();
  }

  /** Puts back the context that {@link #attach} replaced, once. */
  private static final class TetherScope implements Scope {
    private final Context before;
    private final Context attached;
    private boolean closed;

    TetherScope(Context before, Context attached) {
      this.before = before;
      this.attached = attached;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (CURRENT.getStore() != attached) {
        logger.log(
            Level.FINE,
            "Context in storage not the expected context, "
                + "Scope.close was not called correctly");
      }
      CURRENT.enterWith(before);
    }
  }
}
