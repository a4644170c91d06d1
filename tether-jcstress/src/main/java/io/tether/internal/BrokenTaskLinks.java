package io.tether.internal;

/**
 * A copy of {@link TaskLinks}' attach and take (oldest first, nothing periodic) with one deliberate
 * defect, for the {@code Broken} twins of {@link TaskLinksStress}: what those tests must catch.
 * Never used outside them.
 */
final class BrokenTaskLinks {

  /** The atomic step this copy splits in two. */
  enum Defect {
    /** The single link becomes a slot by a remove and a put-if-absent instead of a replace. */
    CONVERT_WITHOUT_CAS,
    /** A taker removes the task's value without checking it is still the link it read. */
    TAKE_WITHOUT_CHECK
  }

  private final WeakIdentityMap<Object> tasks = new WeakIdentityMap<>();
  private final Defect defect;

  BrokenTaskLinks(Defect defect) {
    this.defect = defect;
  }

  void attach(Object task, Link link) {
    while (true) {
      Object held = tasks.putIfAbsent(task, link);
      if (held == null) {
        return;
      }
      if (held instanceof Slot) {
        if (((Slot) held).add(link)) {
          return;
        }
      } else {
        Slot slot = new Slot();
        synchronized (slot) {
          if (replace(task, held, slot)) {
            slot.head = (Link) held;
            slot.head.next = link;
            return;
          }
        }
      }
    }
  }

  private boolean replace(Object task, Object held, Slot slot) {
    if (defect != Defect.CONVERT_WITHOUT_CAS) {
      return tasks.replace(task, held, slot);
    }
    if (tasks.get(task) != held) {
      return false;
    }
    tasks.remove(task); // the defect: whatever the task holds by now goes
    return tasks.putIfAbsent(task, slot) == null;
  }

  Link take(Object task) {
    while (true) {
      Object held = tasks.get(task);
      if (held == null) {
        return null;
      }
      if (held instanceof Link) {
        Link link = (Link) held;
        boolean removed =
            defect == Defect.TAKE_WITHOUT_CHECK
                ? tasks.remove(task) != null // the defect: removes a slot converted meanwhile
                : tasks.remove(task, link);
        if (removed) {
          return link;
        }
        continue;
      }
      Slot slot = (Slot) held;
      Link link = slot.take();
      if (slot.isEmptyAndRetired()) {
        tasks.remove(task, slot);
      }
      if (link != null) {
        return link;
      }
    }
  }

  /** As {@code TaskLinks.Slot}, oldest first only. */
  private static final class Slot {
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

    synchronized Link take() {
      Link link = head;
      if (link == null) {
        return null;
      }
      head = link.next;
      link.next = null;
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
