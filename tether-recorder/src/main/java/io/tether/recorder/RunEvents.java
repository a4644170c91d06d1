package io.tether.recorder;

import io.tether.AsyncLocalStorage;
import io.tether.internal.ExecutionState;
import io.tether.internal.Frame;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jdk.jfr.AnnotationElement;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventFactory;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.ValueDescriptor;

/**
 * How {@code io.tether.Run} events are begun: plain ({@link JfrEvents.Run}, an async id), or with
 * one field per contextual storage, holding its value when the run began ({@link String#valueOf},
 * {@code null} where it has none). Those fields are annotated {@code jdk.jfr.Contextual} where the
 * JDK has it (25 and later), which is why that event type is built at run time, with {@link
 * EventFactory}, rather than declared: the project compiles for JDK 17, which lacks the annotation.
 * A contextual field of an event in progress is shown by {@code jfr print} on every event the same
 * thread records meanwhile: the JDK's socket, park and lock events of that run.
 */
abstract class RunEvents {

  /** The JDK's annotation for contextual fields, or {@code null} before JDK 25. */
  static final Class<? extends Annotation> CONTEXTUAL = contextualAnnotation();

  /** Field names JFR gives every event, which a storage's field must not take. */
  private static final Set<String> RESERVED =
      Set.of(JfrFormat.ASYNC_ID, "startTime", "duration", "eventThread", "stackTrace");

  final EventType type;

  private RunEvents(EventType type) {
    this.type = type;
  }

  /** A new {@code Run} event for {@code asyncId}, its fields set and its clock started. */
  abstract Event begin(long asyncId);

  /** Its event type leaves new recordings. */
  abstract void unregister();

  /** Runs without contextual fields. */
  static RunEvents plain() {
    FlightRecorder.register(JfrEvents.Run.class);
    return new RunEvents(EventType.getEventType(JfrEvents.Run.class)) {
      @Override
      Event begin(long asyncId) {
        JfrEvents.Run e = new JfrEvents.Run();
        e.asyncId = asyncId;
        e.begin();
        return e;
      }

      @Override
      void unregister() {
        FlightRecorder.unregister(JfrEvents.Run.class);
      }
    };
  }

  /** Runs with a field for each of {@code storages}. */
  static RunEvents ofStorages(List<AsyncLocalStorage<?>> storages) {
    List<String> names = new ArrayList<>();
    for (AsyncLocalStorage<?> s : storages) {
      names.add(s.name());
    }
    AsyncLocalStorage<?>[] read = storages.toArray(new AsyncLocalStorage<?>[0]);
    return new Contextual(factory(names), read.length) {
      @Override
      Object value(int i) {
        return read[i].getStore();
      }
    };
  }

  /**
   * Runs with a field for each storage name: the value of the first storage in the context with
   * that name (Tether keeps no registry of storages, so they are found in the running frame).
   */
  static RunEvents ofNames(List<String> names) {
    String[] wanted = names.toArray(new String[0]);
    return new Contextual(factory(names), wanted.length) {
      @Override
      Object value(int i) {
        return namedValue(wanted[i]);
      }
    };
  }

  /**
   * The value of the first storage named {@code name} in the running context that has one, or null
   * (Tether keeps no registry of storages: they are found in the running frame).
   */
  static Object namedValue(String name) {
    Frame f = ExecutionState.current().frame;
    for (int n = 0, size = f.size(); n < size; n++) {
      if (f.storageAt(n) instanceof AsyncLocalStorage) {
        AsyncLocalStorage<?> s = (AsyncLocalStorage<?>) f.storageAt(n);
        if (s.name().equals(name)) {
          Object v = s.getStore();
          if (v != null) {
            return v;
          }
        }
      }
    }
    return null;
  }

  /** The field name for storage {@code name}: a Java identifier, as JFR requires. */
  static String fieldName(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a contextual storage needs a name (it names the field)");
    }
    StringBuilder b = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = i == 0 ? Character.isJavaIdentifierStart(c) : Character.isJavaIdentifierPart(c);
      b.append(ok ? c : '_');
    }
    String field = b.toString();
    return RESERVED.contains(field) ? field + "_" : field;
  }

  /**
   * The event types made so far, by their fields' storage names: made once and kept registered.
   * Unregistering a type made by {@link EventFactory} and making another of the same name leaves
   * the recordings dumped afterwards unreadable ("Type N is not defined"), as seen on JDK 17.
   */
  private static final java.util.Map<List<String>, EventFactory> FACTORIES =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static EventFactory factory(List<String> names) {
    return FACTORIES.computeIfAbsent(List.copyOf(names), RunEvents::create);
  }

  private static EventFactory create(List<String> names) {
    List<AnnotationElement> type = new ArrayList<>();
    type.add(new AnnotationElement(Name.class, JfrFormat.RUN));
    type.add(new AnnotationElement(Label.class, "Run"));
    type.add(new AnnotationElement(Category.class, new String[] {JfrFormat.CATEGORY}));
    type.add(
        new AnnotationElement(
            Description.class,
            "A continuation of an async resource ran, from before to after, with the values of"
                + " the contextual storages when it began"));
    type.add(new AnnotationElement(StackTrace.class, false));
    List<ValueDescriptor> fields = new ArrayList<>();
    fields.add(
        new ValueDescriptor(
            long.class,
            JfrFormat.ASYNC_ID,
            List.of(
                new AnnotationElement(AsyncId.class),
                new AnnotationElement(Label.class, "Async Id"))));
    Set<String> taken = new HashSet<>();
    for (String name : names) {
      String field = fieldName(name);
      if (!taken.add(field)) {
        throw new IllegalArgumentException(
            "two contextual storages would share the field '" + field + "': " + names);
      }
      List<AnnotationElement> annotations = new ArrayList<>();
      annotations.add(new AnnotationElement(Label.class, name));
      annotations.add(
          new AnnotationElement(
              Description.class, "The value of the AsyncLocalStorage '" + name + "'"));
      if (CONTEXTUAL != null) {
        annotations.add(new AnnotationElement(CONTEXTUAL));
      }
      fields.add(new ValueDescriptor(String.class, field, annotations));
    }
    return EventFactory.create(type, fields);
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends Annotation> contextualAnnotation() {
    try {
      return (Class<? extends Annotation>) Class.forName("jdk.jfr.Contextual");
    } catch (ClassNotFoundException | LinkageError beforeJdk25) {
      return null;
    }
  }

  /** Runs made by an {@link EventFactory}, with fields {@code 1..count} for the storages. */
  private abstract static class Contextual extends RunEvents {
    private final EventFactory factory;
    private final int count;

    Contextual(EventFactory factory, int count) {
      super(factory.getEventType());
      this.factory = factory;
      this.count = count;
    }

    /** The value of contextual storage {@code i} on this thread now, or {@code null}. */
    abstract Object value(int i);

    @Override
    Event begin(long asyncId) {
      Event e = factory.newEvent();
      e.set(0, asyncId);
      for (int i = 0; i < count; i++) {
        Object v = value(i);
        e.set(i + 1, v == null ? null : String.valueOf(v));
      }
      e.begin();
      return e;
    }

    @Override
    void unregister() {
      // Kept registered (see FACTORIES): a recording lists the type, with no events once closed.
    }
  }
}
