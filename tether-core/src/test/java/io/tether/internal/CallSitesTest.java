package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CallSitesTest {

  @Test
  void isInternal_theJdkAndTethersOwnClasses() {
    assertThat(CallSites.isInternal("java.util.concurrent.ThreadPoolExecutor")).isTrue();
    assertThat(CallSites.isInternal("jdk.internal.misc.Unsafe")).isTrue();
    assertThat(CallSites.isInternal("io.tether.AsyncLocalStorage")).isTrue();
    assertThat(CallSites.isInternal("io.tether.internal.TaskRuns")).isTrue();
    assertThat(CallSites.isInternal("io.tether.agent.shaded.asm.ClassReader")).isTrue();
  }

  @Test
  void isInternal_notTheApplicationsClasses() {
    assertThat(CallSites.isInternal("com.example.OrderService")).isFalse();
    assertThat(CallSites.isInternal("io.tether.examples.RequestLogger")).isFalse();
    assertThat(CallSites.isInternal("io.tether.agent.TraceMain")).isFalse();
    assertThat(CallSites.isInternal("io.tetherx.Foo")).isFalse();
  }

  @Test
  void isInternal_withSelf_alsoTheAskingToolAndItsNestedClasses() {
    Class<?> tool = Test.class; // any class outside the JDK and Tether
    assertThat(CallSites.isInternal("com.example.Tool", tool)).isFalse();
    assertThat(CallSites.isInternal(tool.getName(), tool)).isTrue();
    assertThat(CallSites.isInternal(tool.getName() + "$1", tool)).isTrue();
    assertThat(CallSites.isInternal(tool.getName() + "Other", tool)).isFalse();
  }
}
