package io.tether.slf4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;
import org.slf4j.spi.MDCAdapter;

/**
 * {@link TetherMDC} before {@link TetherMDC#install()}: SLF4J's MDC is Logback's own, so {@code
 * run} and {@code call} fail at once instead of setting a value no log line reads. Installation
 * lasts as long as the JVM, so each test puts a fresh Logback adapter into SLF4J's MDC and gives
 * back the one it found.
 */
@Timeout(30)
class TetherMDCNotInstalledUnitTest {

  private MDCAdapter found;

  @BeforeEach
  void uninstall() throws ReflectiveOperationException {
    found = MDC.getMDCAdapter();
    slf4jAdapterField().set(null, new LogbackMDCAdapter());
    assertThat(TetherMDC.isInstalled()).isFalse();
  }

  @AfterEach
  void restoreAndLeaveNoContextBehind() throws ReflectiveOperationException {
    MDC.clear();
    slf4jAdapterField().set(null, found);
    assertThat(TetherMDCAdapter.VALUES.getStore()).as("Tether's MDC left behind").isNull();
  }

  @Test
  void run_withoutInstall_failsAtOnceNamingInstall() {
    AtomicBoolean ran = new AtomicBoolean();

    assertThatThrownBy(() -> TetherMDC.run("requestId", "r-1", () -> ran.set(true)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TetherMDC.install()")
        .hasMessageNotContaining("\n");
    assertThat(ran).as("callback run").isFalse();
  }

  @Test
  void call_withoutInstall_failsAtOnceNamingInstall() {
    AtomicBoolean called = new AtomicBoolean();

    assertThatThrownBy(() -> TetherMDC.call("requestId", "r-1", () -> called.getAndSet(true)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TetherMDC.install()");
    assertThat(called).as("callback called").isFalse();
  }

  @Test
  void current_withoutInstall_isSlf4jsOwnMdc() {
    MDC.put("user", "alice");

    assertThat(TetherMDC.current()).containsExactly(Map.entry("user", "alice"));
    MDC.clear();
    assertThat(TetherMDC.current()).isEmpty();
  }

  /** SLF4J's static adapter field, found by type as {@link TetherMDC} finds it. */
  private static Field slf4jAdapterField() {
    for (Field field : MDC.class.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == MDCAdapter.class) {
        field.setAccessible(true);
        return field;
      }
    }
    throw new AssertionError("org.slf4j.MDC has no static MDCAdapter field");
  }
}
