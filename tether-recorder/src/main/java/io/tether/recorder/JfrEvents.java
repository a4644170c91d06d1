package io.tether.recorder;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Tether's JFR event classes ({@link JfrFormat}). {@code Init} keeps JFR's stack trace (the linking
 * stack: where the work was linked, which the report groups by); the others do without it. The
 * {@code Run} here is the one without contextual fields; with them, {@link RunEvents} builds its
 * own with {@code jdk.jfr.EventFactory}.
 */
final class JfrEvents {

  private JfrEvents() {}

  @Name(JfrFormat.INIT)
  @Label("Init")
  @Category(JfrFormat.CATEGORY)
  @Description("An async resource was created at its link point (Tether's init hook event)")
  static final class Init extends Event {
    @AsyncId
    @Label("Async Id")
    long asyncId;

    @AsyncId
    @Label("Trigger Async Id")
    @Description("The async id of the resource that caused this one")
    long triggerAsyncId;

    @Label("Type")
    String type;

    @Label("Resource Class")
    Class<?> resourceClass;

    @Label("Call Site")
    @Description(
        "The application's call that linked the resource, as the agent numbered it when its class"
            + " loaded; empty where no numbered call was in progress (then the stack trace says)")
    String callSite;
  }

  @Name(JfrFormat.RUN)
  @Label("Run")
  @Category(JfrFormat.CATEGORY)
  @Description("A continuation of an async resource ran, from before to after")
  @StackTrace(false)
  static final class Run extends Event {
    @AsyncId
    @Label("Async Id")
    long asyncId;
  }

  @Name(JfrFormat.PROMISE_RESOLVE)
  @Label("Promise Resolve")
  @Category(JfrFormat.CATEGORY)
  @Description("A CompletableFuture was completed (Tether's promiseResolve hook event)")
  @StackTrace(false)
  static final class PromiseResolve extends Event {
    @AsyncId
    @Label("Async Id")
    long asyncId;
  }

  @Name(JfrFormat.DESTROY)
  @Label("Destroy")
  @Category(JfrFormat.CATEGORY)
  @Description("An async resource ended (Tether's destroy hook event)")
  @StackTrace(false)
  static final class Destroy extends Event {
    @AsyncId
    @Label("Async Id")
    long asyncId;
  }

  @Name(JfrFormat.LEAK)
  @Label("Context Leak")
  @Category(JfrFormat.CATEGORY)
  @Description(
      "A context kept alive past the leak detector's threshold by a long-lived holder (the values'"
          + " types only, never the values)")
  @StackTrace(false)
  static final class Leak extends Event {
    @AsyncId
    @Label("Async Id")
    @Description("The resource that captured the context")
    long asyncId;

    @Label("Holder")
    @Description("periodic task, thread, listener or snapshot")
    String holder;

    @Label("Holder Class")
    String holderClass;

    @Label("Holder Detail")
    String holderDetail;

    @Label("Call Site")
    @Description("Where the context was captured")
    String callSite;

    @Label("Held")
    @Description("The storages held and their values' types")
    String held;

    @Label("Held For")
    @Timespan(Timespan.MILLISECONDS)
    long heldFor;
  }
}
