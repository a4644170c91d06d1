package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.Executor;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

/** The agent's type matching beside other agents. */
class BoundaryInstrumentationUnitTest {

  /**
   * A class as another agent may hand it over: implementing, besides {@code Runnable}, an
   * interface that agent added and whose class file no class loader serves (as OpenTelemetry's
   * virtual-field accessors).
   */
  private static TypeDescription withInjectedInterface() {
    // Made, but its class file is given to no locator.
    TypeDescription injected = new ByteBuddy().makeInterface()
        .name("peer.agent.InjectedAccessor")
        .make()
        .getTypeDescription();
    byte[] bytes = new ByteBuddy().subclass(Object.class)
        .name("app.Task")
        .implement(injected)
        .implement(Runnable.class)
        .make()
        .getBytes();
    TypePool pool = TypePool.Default.of(new ClassFileLocator.Compound(
        ClassFileLocator.Simple.of("app.Task", bytes),
        ClassFileLocator.ForClassLoader.ofSystemLoader()));
    return pool.describe("app.Task").resolve();
  }

  @Test
  void isSubTypeOf_skipsASuperTypeThatCannotBeDescribed() {
    TypeDescription task = withInjectedInterface();
    assertThat(BoundaryInstrumentation.isSubTypeOf("java.lang.Runnable", true).matches(task))
        .isTrue();
    assertThat(BoundaryInstrumentation.isSubTypeOf("java.util.concurrent.Executor", true)
        .matches(task)).isFalse();
    assertThat(BoundaryInstrumentation.isSubTypeOf("java.lang.Object", false).matches(task))
        .isTrue();
    assertThat(BoundaryInstrumentation.isSubTypeOf("java.lang.Thread", false).matches(task))
        .isFalse();
    // ByteBuddy's own matcher fails the whole class there.
    assertThatThrownBy(() -> ElementMatchers.isSubTypeOf(Executor.class).matches(task))
        .isInstanceOf(TypePool.Resolution.NoSuchTypeException.class);
  }
}
