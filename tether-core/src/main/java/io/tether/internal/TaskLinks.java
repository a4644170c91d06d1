package io.tether.internal;

import io.tether.ResourceTypes;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Not public API. The links of the application's task objects: a task keeps its identity (queues,
 * {@code remove}, {@code shutdownNow}, {@code beforeExecute}/{@code afterExecute} and rejection
 * handlers see the application's object) because its link is attached to the object itself in a
 * weak identity map instead of a wrapper around it.
 *
 * <p>Invariants: a task's first link is the map's value itself (one map operation to attach, a read
 * and a conditional remove to take); a second submission of the same object turns the value into a
 * {@link Slot} holding both, oldest first. Every change of the value is one atomic operation of the
 * map, so a concurrent taker either takes the single link or finds the slot holding both; a slot
 * emptied by a taker is retired and never receives a link again (an attacher that finds it retired
 * installs a fresh value). An entry whose task was collected is expunged by the map, releasing the
 * captured context of a task dropped without running.
 *
 * <p>A {@code FutureTask}, {@code CountedCompleter}, {@code RecursiveTask} or {@code
 * RecursiveAction} (what {@code submit}, a parallel stream and fork/join code make for every task),
 * and a plain task of the application's (an anonymous {@code Runnable}, say), keeps its first link
 * in a field of its own where the agent added one ({@link TaskFields}): a compare-and-set to attach
 * and one to take. A periodic link goes to the map (as an overflow: runs only read it). A link that
 * finds the field taken (the same task linked again before it ran) goes to the map, and while any
 * such link is there ({@link #OVERFLOW}) the links of every task with a field go to the map as well
 * and takers look there after the field: so a field's link is always older than the map's links of
 * its task, and oldest first still holds.
 */
public final class TaskLinks {

  /** The links attached to tasks: a {@link Link}, or a {@link Slot} when there are several. */
  private static final WeakIdentityMap<Object> TASKS = new WeakIdentityMap<>();

  private TaskLinks() {}

  /** Whether {@code task} is one of {@code CompletableFuture}'s internal tasks, never linked. */
  static boolean futureInternal(Object task) {
    return TaskFields.of(task).futureInternal;
  }

  /**
   * Links {@code task} here and now, on the thread whose state is {@code s}, attaching the link to
   * the task object itself.
   *
   * @return whether a link was attached
   */
  public static boolean linkTask(Object task, String type, boolean periodic, ExecutionState s) {
    if (task == null || task instanceof ResourceCore) {
      return false;
    }
    TaskFields.Kind k = TaskFields.of(task);
    if (k.futureInternal) {
      return false;
    }
    attach(task, k, new Link(type, ResourceCore.CURRENT_TRIGGER, periodic, s));
    return true;
  }

  /**
   * The task of a {@code ThreadPoolExecutor.execute} entered with {@link Nesting#enterDeferred}
   * enters the pool (as a new worker's first task, or into the queue): links it, if that {@code
   * execute} is the outermost linking call and has not linked it yet (a task that no new worker
   * took goes on to the queue).
   *
   * @return whether a link was attached here
   */
  static boolean linkSubmitted(Object task, ExecutionState s) {
    if (Nesting.awaitsLink(s) && linkTask(task, ResourceTypes.EXECUTOR_TASK, false, s)) {
      Nesting.settle(s);
      return true;
    }
    return false;
  }

  /**
   * Links of tasks with a field ({@link TaskFields}) held in the map, counted before they are put
   * there and after they are taken: while there are any, such tasks' links go to the map and are
   * sought there after the field. (A task collected with links in the map leaves its count.)
   */
  private static final AtomicInteger OVERFLOW = new AtomicInteger();

  private static void attach(Object task, TaskFields.Kind k, Link link) {
    if (k.hasField()) {
      // A periodic link (a plain task some library schedules again and again) goes to the map,
      // where takers only read it.
      if (!link.periodic && OVERFLOW.get() == 0 && TaskFields.compareAndSet(task, k, null, link)) {
        return;
      }
      OVERFLOW.incrementAndGet(); // before the map holds it: a taker of an empty field looks there
    }
    while (true) {
      Object held = TASKS.putIfAbsent(task, link);
      if (held == null) {
        return;
      }
      if (held instanceof Slot) {
        if (((Slot) held).add(link)) {
          return;
        }
      } else {
        Slot slot = new Slot();
        synchronized (slot) { // takers that find the slot wait until it holds both links
          if (TASKS.replace(task, held, slot)) {
            slot.head = (Link) held;
            slot.head.next = link;
            return;
          }
        }
      }
      // The value was taken, or emptied and removed, concurrently: look again.
    }
  }

  /** Whether a link is attached to {@code task}. */
  public static boolean isLinked(Object task) {
    TaskFields.Kind k = task == null ? null : TaskFields.of(task);
    if (k != null && k.hasField()) {
      if (TaskFields.get(task, k) != null) {
        return true;
      }
      if (OVERFLOW.get() == 0) {
        return false;
      }
    }
    Object held = task == null ? null : TASKS.get(task);
    return held instanceof Link || held instanceof Slot && ((Slot) held).peek() != null;
  }

  /**
   * The task object {@code link} is attached to, or {@code null}: a scan of every attached task,
   * for the leak detector's reports ({@link Leaks}), never on a task's path.
   */
  static Object taskOf(Link link) {
    return TASKS.keyWhere(
        held -> held == link || held instanceof Slot && ((Slot) held).holds(link));
  }

  /**
   * The task was dropped without running (rejected, cancelled, removed, drained): its most recent
   * link is detached and ended, so that it holds no context any more.
   */
  public static void dropTask(Object task) {
    Link link = take(task, true, true);
    if (link != null) {
      link.cancelled();
    }
  }

  /** Drops every link of every task of {@code tasks} (the list {@code shutdownNow} returns). */
  static void dropTasks(Iterable<?> tasks) {
    for (Object task : tasks) {
      while (take(task, true, true) != null) {
        // drain every link of a task queued several times
      }
    }
  }

  /**
   * The link under which {@code task} runs now, detached unless periodic; none for the internals of
   * {@code CompletableFuture}, which are never linked (no map lookup for them).
   */
  static Link takeToRun(Object task) {
    if (task == null) {
      return null;
    }
    TaskFields.Kind k = TaskFields.of(task);
    return k.futureInternal ? null : take(task, k, false, false);
  }

  /**
   * Detaches the oldest (or newest) link of {@code task}; a periodic link is only read unless
   * {@code force}.
   */
  private static Link take(Object task, boolean newest, boolean force) {
    return task == null ? null : take(task, TaskFields.of(task), newest, force);
  }

  /** {@link #take(Object, boolean, boolean)} of a task of kind {@code k}. */
  private static Link take(Object task, TaskFields.Kind k, boolean newest, boolean force) {
    if (k.hasField()) { // its links are one-shot: scheduled tasks keep theirs in the map
      if (newest && OVERFLOW.get() > 0) {
        Link link = takeFromMap(task, true, force);
        if (link != null) {
          leftMap(link, force);
          return link;
        }
      }
      Object held;
      while ((held = TaskFields.get(task, k)) != null) {
        if (TaskFields.compareAndSet(task, k, held, null)) {
          return (Link) held;
        }
      }
      if (OVERFLOW.get() == 0) {
        return null;
      }
      Link link = takeFromMap(task, newest, force);
      if (link != null) {
        leftMap(link, force);
      }
      return link;
    }
    return takeFromMap(task, newest, force);
  }

  /** {@code link}, of a task with a field, was taken from the map: read only, if periodic. */
  private static void leftMap(Link link, boolean force) {
    if (force || !link.periodic) {
      OVERFLOW.decrementAndGet();
    }
  }

  /** {@link #take} of the links of {@code task} held in the map. */
  private static Link takeFromMap(Object task, boolean newest, boolean force) {
    while (true) {
      Object held = TASKS.get(task);
      if (held == null) {
        return null;
      }
      if (held instanceof Link) {
        Link link = (Link) held;
        if ((link.periodic && !force) || TASKS.remove(task, link)) {
          return link;
        }
        continue; // taken by another thread, or turned into a slot: look again
      }
      Slot slot = (Slot) held;
      Link link = slot.take(newest, force);
      if (slot.isEmptyAndRetired()) {
        TASKS.remove(task, slot);
      }
      if (link != null) {
        return link;
      }
      // The slot was already emptied: a link attached since is in a fresh value.
    }
  }

  /**
   * The links of one task object, oldest first. Once emptied by a taker it is retired, and an
   * attacher that finds it retired takes a fresh slot, so no link is added to a removed slot.
   */
  private static final class Slot {
    /** Guarded by this slot; set by {@link #attach} while it holds the lock. */
    Link head;

    private boolean retired;

    synchronized boolean add(Link link) {
      if (retired) {
        return false;
      }
      if (head == null) {
        head = link;
      } else {
        Link tail = head;
        while (tail.next != null) {
          tail = tail.next;
        }
        tail.next = link;
      }
      return true;
    }

    synchronized boolean holds(Link link) {
      for (Link l = head; l != null; l = l.next) {
        if (l == link) {
          return true;
        }
      }
      return false;
    }

    synchronized Link peek() {
      return head;
    }

    /** Removes the oldest (or newest) link; a periodic link is only read unless {@code force}. */
    synchronized Link take(boolean newest, boolean force) {
      Link link = head;
      if (link == null) {
        return null;
      }
      if (newest) {
        Link before = null;
        while (link.next != null) {
          before = link;
          link = link.next;
        }
        if (before == null) {
          head = null;
        } else {
          before.next = null;
        }
      } else if (force || !link.periodic) {
        head = link.next;
        link.next = null;
      }
      if (head == null) {
        retired = true;
      }
      return link;
    }

    synchronized boolean isEmptyAndRetired() {
      return head == null && retired;
    }
  }
}
