package io.tether.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CountedCompleter;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.RunnableScheduledFuture;

/**
 * Not public API. The field the agent gives {@code FutureTask}, {@code CountedCompleter}, {@code
 * RecursiveTask} and {@code RecursiveAction} when they load after it ({@link LinkHolder}; public,
 * so that this class reaches it through the public lookup although {@code java.base} opens none of
 * its packages): where a task's first link waits instead of the weak identity map, one
 * compare-and-set to attach and one to take instead of a weak reference, an identity hash and three
 * map operations. Those are what {@code submit}, parallel streams and the application's own
 * fork/join tasks make; {@code ForkJoinTask} itself is left alone, because {@code
 * CompletableFuture}'s stages are fork/join tasks too, never linked, and a field there would make
 * every stage 8 bytes larger. The agent gives the field as well to the plain tasks of the
 * application and its libraries (a class that extends {@code Object} and implements {@code
 * Runnable} or {@code Callable} alone, such as an anonymous task), reached through a lookup private
 * to each such class (where its package is open to Tether, as every package of the class path is).
 * Without the field (a class loaded before the agent, a lambda, or no agent) {@link Kind#hasField}
 * is false and the map serves as before. What a class is, field and all, is found once per class
 * ({@link Kind}), so a task's link or take makes one class-value lookup. {@link TaskLinks} decides
 * what goes where.
 */
final class TaskFields {

  private static final VarHandle FUTURE_TASK = find(FutureTask.class);
  private static final VarHandle COUNTED_COMPLETER = find(CountedCompleter.class);
  private static final VarHandle RECURSIVE_TASK = find(RecursiveTask.class);
  private static final VarHandle RECURSIVE_ACTION = find(RecursiveAction.class);

  /** {@link Kind#field}: no field (the map serves), or the class whose field it is. */
  private static final int NONE = 0;

  private static final int IN_FUTURE_TASK = 1;
  private static final int IN_COUNTED_COMPLETER = 2;
  private static final int IN_RECURSIVE_TASK = 3;
  private static final int IN_RECURSIVE_ACTION = 4;
  private static final int IN_PLAIN_TASK = 5;

  /** What a task class is, found once per class: one class-value lookup a task operation. */
  private static final ClassValue<Kind> KINDS =
      new ClassValue<Kind>() {
        @Override
        protected Kind computeValue(Class<?> type) {
          return kind(type);
        }
      };

  private TaskFields() {}

  /**
   * What one task class is to Tether: whether its instances are {@code CompletableFuture}'s
   * internal tasks (never linked: their context comes from the stage), and where their first link
   * waits.
   */
  static final class Kind {
    final boolean futureInternal;
    final int field;

    /** The field of a plain task class, through a lookup private to it. */
    final VarHandle plain;

    Kind(boolean futureInternal, int field, VarHandle plain) {
      this.futureInternal = futureInternal;
      this.field = field;
      this.plain = plain;
    }

    /**
     * Whether the tasks of this class keep their links in the field: one of the fork/join classes
     * above, a {@code FutureTask} that is not a scheduled one (whose periodic link the leak reports
     * look for in the map), or a plain task, of a class that has the field.
     */
    boolean hasField() {
      return field != NONE;
    }
  }

  /** The kind of {@code task}'s class. */
  static Kind of(Object task) {
    return KINDS.get(task.getClass());
  }

  private static Kind kind(Class<?> type) {
    boolean internal = type.getName().startsWith("java.util.concurrent.CompletableFuture$");
    int field = NONE;
    VarHandle plain = null;
    if (CountedCompleter.class.isAssignableFrom(type)) {
      field = COUNTED_COMPLETER != null ? IN_COUNTED_COMPLETER : NONE;
    } else if (RecursiveTask.class.isAssignableFrom(type)) {
      field = RECURSIVE_TASK != null ? IN_RECURSIVE_TASK : NONE;
    } else if (RecursiveAction.class.isAssignableFrom(type)) {
      field = RECURSIVE_ACTION != null ? IN_RECURSIVE_ACTION : NONE;
    } else if (FutureTask.class.isAssignableFrom(type)) {
      boolean scheduled = RunnableScheduledFuture.class.isAssignableFrom(type);
      field = FUTURE_TASK != null && !scheduled ? IN_FUTURE_TASK : NONE;
    } else if (LinkHolder.class.isAssignableFrom(type) && !internal) {
      plain = plainField(type);
      field = plain != null ? IN_PLAIN_TASK : NONE;
    }
    return new Kind(internal, field, plain);
  }

  private static VarHandle find(Class<?> type) {
    try {
      return MethodHandles.publicLookup().findVarHandle(type, "tether$link", Object.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // loaded before the agent, or no agent: the weak identity map serves
    }
  }

  private static VarHandle plainField(Class<?> type) {
    try {
      return MethodHandles.privateLookupIn(type, MethodHandles.lookup())
          .findVarHandle(type, "tether$link", Object.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // a package not open to Tether (a named module's): the map serves
    }
  }

  /**
   * The link in the field of {@code task}, of kind {@code k} (one that has it), or {@code null}.
   */
  static Object get(Object task, Kind k) {
    switch (k.field) {
      case IN_FUTURE_TASK:
        return (Object) FUTURE_TASK.getAcquire((FutureTask<?>) task);
      case IN_COUNTED_COMPLETER:
        return (Object) COUNTED_COMPLETER.getAcquire((CountedCompleter<?>) task);
      case IN_RECURSIVE_TASK:
        return (Object) RECURSIVE_TASK.getAcquire((RecursiveTask<?>) task);
      case IN_RECURSIVE_ACTION:
        return (Object) RECURSIVE_ACTION.getAcquire((RecursiveAction) task);
      default:
        return (Object) k.plain.getAcquire(task);
    }
  }

  /**
   * Sets the field of {@code task}, of kind {@code k}, to {@code link} if it holds {@code
   * expected}.
   */
  static boolean compareAndSet(Object task, Kind k, Object expected, Object link) {
    switch (k.field) {
      case IN_FUTURE_TASK:
        return FUTURE_TASK.compareAndSet((FutureTask<?>) task, expected, link);
      case IN_COUNTED_COMPLETER:
        return COUNTED_COMPLETER.compareAndSet((CountedCompleter<?>) task, expected, link);
      case IN_RECURSIVE_TASK:
        return RECURSIVE_TASK.compareAndSet((RecursiveTask<?>) task, expected, link);
      case IN_RECURSIVE_ACTION:
        return RECURSIVE_ACTION.compareAndSet((RecursiveAction) task, expected, link);
      default:
        return k.plain.compareAndSet(task, expected, link);
    }
  }
}
