package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncLocalStorage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The weaver on its own, without an agent: matching by class files, and woven code that verifies. */
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

  private static byte[] classFile(Class<?> type) throws Exception {
    try (InputStream in = type.getClassLoader()
        .getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
      return in.readAllBytes();
    }
  }

  /** Defines one class from the given bytes, everything else from its parent. */
  private static final class OneClassLoader extends ClassLoader {
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
    byte[] woven = Weaver.weave(classFile(QueueingExecutor.class),
        new Boundaries(AgentOptions.parse("")).executors);
    assertThat(woven).isNotNull();
    Class<?> type = new OneClassLoader(QueueingExecutor.class.getName(), woven)
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
        .isInstanceOf(NullPointerException.class).hasMessage("task");
    request.run("second", () -> executor.execute(() -> seen[1] = request.getStore()));

    assertThat(queue).hasSize(2);
    assertThat(queue.get(0)).isNotSameAs(first);  // the third-party executor holds a wrapper
    queue.forEach(Runnable::run);
    assertThat(seen).containsExactly("first", "second");
    assertThat(request.getStore()).isNull();
    assertThat(type.getField("count").getLong(executor)).isEqualTo(2L);
  }

  @Test
  void classWithoutMatchingMethods_isLeftAlone() throws Exception {
    assertThat(Weaver.weave(classFile(AppThread.class),
        new Boundaries(AgentOptions.parse("")).executors)).isNull();
  }

  @Test
  void hierarchy_readsSuperTypesFromClassFiles() {
    TypeHierarchy hierarchy = new TypeHierarchy();
    ClassLoader loader = WeaverUnitTest.class.getClassLoader();
    String sub = SubThread.class.getName().replace('.', '/');
    String app = AppThread.class.getName().replace('.', '/');
    assertThat(hierarchy.of(loader, sub, app, new String[0]) & TypeHierarchy.THREAD)
        .isEqualTo(TypeHierarchy.THREAD);
    assertThat(hierarchy.of(loader, "app/Pool", "java/util/concurrent/ScheduledThreadPoolExecutor",
        new String[0])).isEqualTo(TypeHierarchy.EXECUTOR | TypeHierarchy.JDK_POOL);
    assertThat(hierarchy.of(loader, "app/Plain", "java/lang/Object",
        new String[] {"java/lang/Runnable"})).isZero();
  }

  /**
   * A class as another agent may hand it over: with an interface that agent added and whose class
   * file no class loader serves (as OpenTelemetry's virtual-field accessors). That interface adds
   * nothing; the others still count.
   */
  @Test
  void hierarchy_skipsASuperTypeThatCannotBeFound() {
    String[] interfaces = {"peer/agent/InjectedAccessor", "java/util/concurrent/Executor"};
    assertThat(new TypeHierarchy().of(WeaverUnitTest.class.getClassLoader(), "app/Task",
        "java/lang/Object", interfaces)).isEqualTo(TypeHierarchy.EXECUTOR);
  }

  @Test
  void reflection_givesTheSameFlagsForLoadedClasses() {
    assertThat(TypeHierarchy.of(SubThread.class)).isEqualTo(TypeHierarchy.THREAD);
    assertThat(TypeHierarchy.of(QueueingExecutor.class)).isEqualTo(TypeHierarchy.EXECUTOR);
    assertThat(TypeHierarchy.of(java.util.concurrent.ForkJoinPool.class))
        .isEqualTo(TypeHierarchy.EXECUTOR | TypeHierarchy.JDK_POOL);
  }
}
