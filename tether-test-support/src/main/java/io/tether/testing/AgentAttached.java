package io.tether.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails every test of a class run without Tether's agent installed in the
 * JVM, before any of them runs: a test of what the agent does would otherwise fail for a reason its
 * message does not tell, or pass for the wrong one. The check itself is {@link #isAttached()}.
 *
 * <pre>{@code
 * @ExtendWith(AgentAttached.class)
 * class ThreadPoolBoundaryTest { ... }
 * }</pre>
 */
public final class AgentAttached implements BeforeAllCallback {

  /** The agent's class; its {@code isInstalled()} is the flag read here. */
  static final String AGENT_CLASS = "io.tether.agent.TetherAgent";

  /** Creates the extension; JUnit does, for {@code @ExtendWith(AgentAttached.class)}. */
  public AgentAttached() {}

  /**
   * Whether Tether's agent is installed in this JVM (by {@code -javaagent} or at run time). Asks
   * the agent itself, {@code TetherAgent.isInstalled()}, by name: the system class loader loads
   * every java agent, and this module cannot depend on tether-agent, whose tests use it.
   *
   * @return whether the agent is installed; {@code false} where its class is absent
   */
  public static boolean isAttached() {
    Class<?> agent;
    try {
      agent = Class.forName(AGENT_CLASS, true, ClassLoader.getSystemClassLoader());
    } catch (ClassNotFoundException e) {
      return false;
    }
    try {
      return (Boolean) agent.getMethod("isInstalled").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot ask " + AGENT_CLASS + ".isInstalled()", e);
    }
  }

  /**
   * Asserts that Tether's agent is installed in this JVM.
   *
   * @throws AssertionError if it is not
   */
  public static void assertAttached() {
    if (!isAttached()) {
      throw new AssertionError(
          "Tether's agent is not installed in this JVM: these tests need it"
              + " attached (-javaagent:tether-agent.jar, the failsafe argLine)");
    }
  }

  /** Fails the test class unless the agent is installed. */
  @Override
  public void beforeAll(ExtensionContext context) {
    assertAttached();
  }
}
