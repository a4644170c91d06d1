package io.tether.testing;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The peer agent a test run names beside Tether's, and whether it is really attached: the
 * OpenTelemetry java agent or TransmittableThreadLocal's. Each failsafe execution of the modules
 * that run in five configurations sets {@code tether.peer.agent} to {@code none}, {@code
 * opentelemetry} or {@code ttl}; a run whose peer is not the one named would pass for the wrong
 * reason.
 *
 * <pre>{@code
 * @Test
 * void expectedPeerAgent_isAttached() {
 *   PeerAgent.assertExpectedAttached();
 * }
 * }</pre>
 *
 * <p>Asked by name, on the bootstrap class path, so that a module need not depend on either peer.
 */
public final class PeerAgent {

  /** The system property that names the peer agent of a run. */
  public static final String PROPERTY = "tether.peer.agent";

  private static final String OTEL_BOOTSTRAP_CLASS =
      "io.opentelemetry.javaagent.bootstrap.AgentInitializer";
  private static final String TTL_AGENT_CLASS = "com.alibaba.ttl.threadpool.agent.TtlAgent";

  private PeerAgent() {}

  /**
   * The peer this run names: {@code none} when the property is absent.
   *
   * @return {@code none}, {@code opentelemetry} or {@code ttl} (or whatever the property says)
   */
  public static String expected() {
    return System.getProperty(PROPERTY, "none");
  }

  /**
   * Whether the OpenTelemetry java agent is attached: its bootstrap classes are on the bootstrap
   * class path.
   *
   * @return whether it is attached
   */
  public static boolean openTelemetryAttached() {
    try {
      Class.forName(OTEL_BOOTSTRAP_CLASS, false, null);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * Whether TransmittableThreadLocal's agent is attached: its premain ran ({@code
   * TtlAgent.isTtlAgentLoaded()}; the TTL jar alone on the class path is not enough).
   *
   * @return whether it is attached
   */
  public static boolean ttlAttached() {
    Class<?> agent;
    try {
      agent = Class.forName(TTL_AGENT_CLASS, true, null);
    } catch (ClassNotFoundException e) {
      return false;
    }
    try {
      return (Boolean) agent.getMethod("isTtlAgentLoaded").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot ask " + TTL_AGENT_CLASS + ".isTtlAgentLoaded()", e);
    }
  }

  /**
   * Asserts that Tether's agent and the peer this run names are attached, and no other peer.
   *
   * @throws AssertionError if not
   */
  public static void assertExpectedAttached() {
    String peer = expected();
    AgentAttached.assertAttached();
    if (!List.of("none", "opentelemetry", "ttl").contains(peer)) {
      throw new AssertionError(PROPERTY + " names no known peer: " + peer);
    }
    check("OpenTelemetry agent attached", openTelemetryAttached(), peer.equals("opentelemetry"));
    check("TTL agent attached", ttlAttached(), peer.equals("ttl"));
  }

  private static void check(String what, boolean actual, boolean expected) {
    if (actual != expected) {
      throw new AssertionError(
          what
              + ": "
              + actual
              + ", expected "
              + expected
              + " ("
              + PROPERTY
              + "="
              + expected()
              + "; JVM options "
              + ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                  .filter(a -> a.startsWith("-javaagent") || a.startsWith("-Xbootclasspath"))
                  .collect(Collectors.joining(" "))
              + ")");
    }
  }
}
