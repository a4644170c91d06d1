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
 * to each such class ({@link #PLAIN}: where its package is open to Tether, as every package of the
 * class path is). Without the field (a class loaded before the agent, a lambda, or no agent) {@link
 * #has} is false and the map serves as before. {@link TaskLinks} decides what goes where.
 */
final class TaskFields {

  private static final VarHandle FUTURE_TASK = find(FutureTask.class);
  private static final VarHandle COUNTED_COMPLETER = find(CountedCompleter.class);
  private static final VarHandle RECURSIVE_TASK = find(RecursiveTask.class);
  private static final VarHandle RECURSIVE_ACTION = find(RecursiveAction.class);

  /** The field of each plain task class that has it, or {@code null}. */
  private static final ClassValue<VarHandle> PLAIN =
      new ClassValue<VarHandle>() {
        @Override
        protected VarHandle computeValue(Class<?> type) {
          try {
            return MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                .findVarHandle(type, "tether$link", Object.class);
          } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // a package not open to Tether (a named module's): the map serves
          }
        }
      };

  private TaskFields() {}

  private static VarHandle find(Class<?> type) {
    try {
      return MethodHandles.publicLookup().findVarHandle(type, "tether$link", Object.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // loaded before the agent, or no agent: the weak identity map serves
    }
  }

  /**
   * Whether {@code task} keeps its links in the field: one of the fork/join classes above, a {@code
   * FutureTask} that is not a scheduled one (whose periodic link the leak reports look for in the
   * map), or a plain task, of a class that has the field.
   */
  static boolean has(Object task) {
    if (task instanceof CountedCompleter) {
      return COUNTED_COMPLETER != null;
    } else if (task instanceof RecursiveTask) {
      return RECURSIVE_TASK != null;
    } else if (task instanceof RecursiveAction) {
      return RECURSIVE_ACTION != null;
    }
    if (task instanceof FutureTask) {
      return FUTURE_TASK != null && !(task instanceof RunnableScheduledFuture);
    }
    return task instanceof LinkHolder && PLAIN.get(task.getClass()) != null;
  }

  /** The link in the field of {@code task} (one that {@link #has} it), or {@code null}. */
  static Object get(Object task) {
    if (task instanceof CountedCompleter) {
      return (Object) COUNTED_COMPLETER.getAcquire((CountedCompleter<?>) task);
    } else if (task instanceof RecursiveTask) {
      return (Object) RECURSIVE_TASK.getAcquire((RecursiveTask<?>) task);
    } else if (task instanceof RecursiveAction) {
      return (Object) RECURSIVE_ACTION.getAcquire((RecursiveAction) task);
    }
    if (task instanceof FutureTask) {
      return (Object) FUTURE_TASK.getAcquire((FutureTask<?>) task);
    }
    return (Object) PLAIN.get(task.getClass()).getAcquire(task);
  }

  /** Sets the field of {@code task} to {@code link} if it holds {@code expected}. */
  static boolean compareAndSet(Object task, Object expected, Object link) {
    if (task instanceof CountedCompleter) {
      return COUNTED_COMPLETER.compareAndSet((CountedCompleter<?>) task, expected, link);
    } else if (task instanceof RecursiveTask) {
      return RECURSIVE_TASK.compareAndSet((RecursiveTask<?>) task, expected, link);
    } else if (task instanceof RecursiveAction) {
      return RECURSIVE_ACTION.compareAndSet((RecursiveAction) task, expected, link);
    }
    if (task instanceof FutureTask) {
      return FUTURE_TASK.compareAndSet((FutureTask<?>) task, expected, link);
    }
    return PLAIN.get(task.getClass()).compareAndSet(task, expected, link);
  }
}
