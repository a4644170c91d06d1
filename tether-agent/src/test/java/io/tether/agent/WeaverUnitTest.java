package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncLocalStorage;
import io.tether.internal.LinkHolder;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;

/**
 * The weaver on its own, without an agent: matching by class files, and woven code that verifies.
 */
@Timeout(30)
class WeaverUnitTest {

  /** An executor with the control flow the woven frames must survive: loops, handlers, returns. */
  public static final class QueueingExecutor implements Executor {
    public final List<Runnable> queue = new ArrayList<>();
    public long count;

    @Override
    public void execute(Runnable task) {
      if (task == null) {
        throw new NullPointerException("task");
      }
      for (int i = 0; i < 3; i++) {
        try {
          if (i == 1) {
            queue.add(task);
            count += 1L;
          } else if (i == 2) {
            return;
          }
        } catch (IllegalStateException e) {
          throw e;
        }
      }
    }
  }

  /** An application thread two levels below {@code Thread}. */
  static class AppThread extends Thread {}

  static final class SubThread extends AppThread {}

  /** The class file of {@code type}, as its class loader serves it. */
  static byte[] classFile(Class<?> type) throws Exception {
    try (InputStream in =
        type.getClassLoader().getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
      return in.readAllBytes();
    }
  }

  /**
   * Defines one class from the given bytes, everything else from its parent. Not the bootstrap
   * loader, so the JVM verifies what it defines.
   */
  static final class OneClassLoader extends ClassLoader {
    private final String name;
    private final byte[] bytes;

    OneClassLoader(String name, byte[] bytes) {
      super(WeaverUnitTest.class.getClassLoader());
      this.name = name;
      this.bytes = bytes;
    }

    @Override
    protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
      if (className.equals(name)) {
        synchronized (getClassLoadingLock(className)) {
          Class<?> c = findLoadedClass(className);
          return c != null ? c : defineClass(className, bytes, 0, bytes.length);
        }
      }
      return super.loadClass(className, resolve);
    }
  }

  @Test
  void wovenExecutor_verifiesAndCarriesTheContextOfExecute() throws Exception {
    byte[] woven =
        Weaver.weave(
            classFile(QueueingExecutor.class), new Boundaries(AgentOptions.parse("")).executors);
    assertThat(woven).isNotNull();
    Class<?> type =
        new OneClassLoader(QueueingExecutor.class.getName(), woven)
            .loadClass(QueueingExecutor.class.getName());
    Executor executor = (Executor) type.getConstructor().newInstance();
    @SuppressWarnings("unchecked")
    List<Runnable> queue = (List<Runnable>) type.getField("queue").get(executor);
    AsyncLocalStorage<String> request = new AsyncLocalStorage<>("request");
    String[] seen = new String[2];

    Runnable first = () -> seen[0] = request.getStore();
    request.run("first", () -> executor.execute(first));
    // A throwing execute leaves the linking nesting as it found it: the next one links again.
    assertThatThrownBy(() -> request.run("thrown", () -> executor.execute(null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("task");
    request.run("second", () -> executor.execute(() -> seen[1] = request.getStore()));

    assertThat(queue).hasSize(2);
    assertThat(queue.get(0)).isNotSameAs(first); // the third-party executor holds a wrapper
    queue.forEach(Runnable::run);
    assertThat(seen).containsExactly("first", "second");
    assertThat(request.getStore()).isNull();
    assertThat(type.getField("count").getLong(executor)).isEqualTo(2L);
  }

  /**
   * A class given the link field (as {@code CompletableFuture} is at first load): it implements
   * {@code LinkHolder} with a public transient field of its own, verifies, and still carries the
   * context its rules weave.
   */
  @Test
  void linkField_isAddedWithItsAccessorsAndTheClassStillVerifies() throws Exception {
    byte[] woven =
        Weaver.weave(
            classFile(QueueingExecutor.class),
            new Boundaries(AgentOptions.parse("")).executors,
            true);
    Class<?> type =
        new OneClassLoader(QueueingExecutor.class.getName(), woven)
            .loadClass(QueueingExecutor.class.getName());
    assertThat(type.getInterfaces()).contains(Executor.class, LinkHolder.class);
    java.lang.reflect.Field field = type.getDeclaredField(Weaver.LINK_FIELD);
    assertThat(java.lang.reflect.Modifier.isPublic(field.getModifiers())).isTrue();
    assertThat(java.lang.reflect.Modifier.isTransient(field.getModifiers())).isTrue();
    assertThat(field.isSynthetic()).isTrue();

    Object executor = type.getConstructor().newInstance();
    LinkHolder holder = (LinkHolder) executor;
    assertThat(holder.tether$link()).isNull();
    Object link = new Object();
    holder.tether$link(link);
    assertThat(holder.tether$link()).isSameAs(link);
    assertThat(((LinkHolder) type.getConstructor().newInstance()).tether$link()).isNull();

    AsyncLocalStorage<String> request = new AsyncLocalStorage<>("request");
    String[] seen = new String[1];
    request.run("first", () -> ((Executor) executor).execute(() -> seen[0] = request.getStore()));
    @SuppressWarnings("unchecked")
    List<Runnable> queue = (List<Runnable>) type.getField("queue").get(executor);
    queue.forEach(Runnable::run);
    assertThat(seen).containsExactly("first");
  }

  /**
   * A class with nothing to weave but the link field (the fork/join task classes) gets the field;
   * without it, the class is left alone.
   */
  @Test
  void linkFieldAlone_isAddedToAClassWithNothingElseToWeave() throws Exception {
    byte[] woven = Weaver.weave(classFile(QueueingExecutor.class), List.of(), true);
    assertThat(woven).isNotNull();
    Class<?> type =
        new OneClassLoader(QueueingExecutor.class.getName(), woven)
            .loadClass(QueueingExecutor.class.getName());
    assertThat(LinkHolder.class).isAssignableFrom(type);
    assertThat(type.getField(Weaver.LINK_FIELD).getType()).isEqualTo(Object.class);
    assertThat(Weaver.weave(classFile(QueueingExecutor.class), List.of(), false)).isNull();
  }

  /** Weaving a class that already has the link field (a retransformation) does not add it twice. */
  @Test
  void plainTask_isAnObjectSubclassImplementingRunnableOrCallableAlone() {
    String[] runnable = {"java/lang/Runnable"};
    assertThat(Weaver.plainTask("java/lang/Object", runnable)).isTrue();
    assertThat(Weaver.plainTask("java/lang/Object", new String[] {"java/util/concurrent/Callable"}))
        .isTrue();
    assertThat(
            Weaver.plainTask(
                "java/lang/Object", new String[] {"java/lang/Runnable", "java/io/Serializable"}))
        .as("another interface: maybe serializable")
        .isFalse();
    assertThat(Weaver.plainTask("com/example/Base", runnable)).as("a subclass").isFalse();
    assertThat(Weaver.plainTask("java/lang/Object", new String[0])).isFalse();
    assertThat(Weaver.plainTask("java/lang/Object", new String[] {"java/util/function/Supplier"}))
        .isFalse();
  }

  @Test
  void linkField_isNotAddedTwice() throws Exception {
    List<Boundaries.Rule> rules = new Boundaries(AgentOptions.parse("")).executors;
    byte[] once = Weaver.weave(classFile(QueueingExecutor.class), rules, true);
    byte[] twice = Weaver.weave(once, rules, true);
    Class<?> type =
        new OneClassLoader(QueueingExecutor.class.getName(), twice)
            .loadClass(QueueingExecutor.class.getName());
    assertThat(type.getDeclaredFields())
        .filteredOn(f -> f.getName().equals(Weaver.LINK_FIELD))
        .hasSize(1);
    assertThat(type.getInterfaces()).filteredOn(i -> i == LinkHolder.class).hasSize(1);
    assertThat(type.getDeclaredMethods())
        .filteredOn(m -> m.getName().equals(Weaver.LINK_FIELD))
        .hasSize(2);
  }

  /**
   * A class file's stack map frames are found by a scan of its attributes (past fields with
   * attributes of their own); a retransformed JDK class comes without any.
   */
  @Test
  void stackMaps_areFound_andMissedWhenStripped() throws Exception {
    byte[] bytes = classFile(QueueingExecutor.class);
    assertThat(Weaver.hasStackMaps(new ClassReader(bytes))).isTrue();
    ClassWriter stripped = new ClassWriter(0);
    new ClassReader(bytes).accept(stripped, ClassReader.SKIP_FRAMES);
    assertThat(Weaver.hasStackMaps(new ClassReader(stripped.toByteArray()))).isFalse();
  }

  /**
   * The methods that may write a watched field are found by a scan of their bytes; the others (most
   * of {@code CompletableFuture}'s) are copied as they are.
   */
  @Test
  void fieldWriters_areTheMethodsWithAPutfieldOfTheField() throws Exception {
    String target = AdviceNetUnitTest.NetTarget.class.getName().replace('.', '/');
    List<Boundaries.Rule> rules =
        List.of(
            new Boundaries.Rule(
                Boundaries.Methods.named(),
                MethodAdvice.none().afterFieldWrite(target, "result", "futureResultWritten")));
    assertThat(
            Weaver.fieldWriters(
                new ClassReader(classFile(AdviceNetUnitTest.NetTarget.class)), rules))
        .containsExactlyInAnyOrder(
            "writes(Ljava/lang/Object;J)Ljava/lang/String;",
            "annotatedCatch(Ljava/lang/Object;)Ljava/lang/String;");
  }

  @Test
  void classWithoutMatchingMethods_isLeftAlone() throws Exception {
    assertThat(
            Weaver.weave(
                classFile(AppThread.class), new Boundaries(AgentOptions.parse("")).executors))
        .isNull();
  }

  @Test
  void hierarchy_readsSuperTypesFromClassFiles() {
    TypeHierarchy hierarchy = new TypeHierarchy();
    ClassLoader loader = WeaverUnitTest.class.getClassLoader();
    String sub = SubThread.class.getName().replace('.', '/');
    String app = AppThread.class.getName().replace('.', '/');
    assertThat(hierarchy.of(loader, sub, app, new String[0]) & TypeHierarchy.THREAD)
        .isEqualTo(TypeHierarchy.THREAD);
    assertThat(
            hierarchy.of(
                loader,
                "app/Pool",
                "java/util/concurrent/ScheduledThreadPoolExecutor",
                new String[0]))
        .isEqualTo(TypeHierarchy.EXECUTOR | TypeHierarchy.JDK_POOL);
    assertThat(
            hierarchy.of(
                loader, "app/Plain", "java/lang/Object", new String[] {"java/lang/Runnable"}))
        .isZero();
  }

  /**
   * A class as another agent may hand it over: with an interface that agent added and whose class
   * file no class loader serves (as OpenTelemetry's virtual-field accessors). That interface adds
   * nothing; the others still count.
   */
  @Test
  void hierarchy_skipsASuperTypeThatCannotBeFound() {
    String[] interfaces = {"peer/agent/InjectedAccessor", "java/util/concurrent/Executor"};
    assertThat(
            new TypeHierarchy()
                .of(
                    WeaverUnitTest.class.getClassLoader(),
                    "app/Task",
                    "java/lang/Object",
                    interfaces))
        .isEqualTo(TypeHierarchy.EXECUTOR);
  }

  @Test
  void reflection_givesTheSameFlagsForLoadedClasses() {
    assertThat(new TypeHierarchy().of(SubThread.class)).isEqualTo(TypeHierarchy.THREAD);
    assertThat(new TypeHierarchy().of(QueueingExecutor.class)).isEqualTo(TypeHierarchy.EXECUTOR);
    assertThat(new TypeHierarchy().of(java.util.concurrent.ForkJoinPool.class))
        .isEqualTo(TypeHierarchy.EXECUTOR | TypeHierarchy.JDK_POOL);
  }
}
