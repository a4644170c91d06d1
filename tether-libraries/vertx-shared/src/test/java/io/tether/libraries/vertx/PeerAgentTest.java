package io.tether.libraries.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each failsafe execution of this module runs Tether's agent alone or beside a peer agent ({@code
 * tether.peer.agent}: none, opentelemetry, ttl): the peer it names is really attached, and no
 * other. Both peers are asked through the bootstrap class path, where each puts its own classes.
 */
@ExtendWith(AgentAttached.class)
@Timeout(30)
class PeerAgentTest {

  static final String PEER = System.getProperty("tether.peer.agent", "none");

  @Test
  void expectedPeerAgent_isAttached_andNoOther() throws ReflectiveOperationException {
    assertThat(PEER).isIn("none", "opentelemetry", "ttl");
    assertThat(onBootstrapPath("io.opentelemetry.javaagent.bootstrap.AgentInitializer"))
        .as("OpenTelemetry agent attached")
        .isEqualTo(PEER.equals("opentelemetry"));
    assertThat(ttlAgentLoaded()).as("TTL agent attached").isEqualTo(PEER.equals("ttl"));
  }

  private static boolean onBootstrapPath(String className) {
    try {
      Class.forName(className, false, null);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** TTL's own answer, where its classes are on the bootstrap class path (its agent's runs). */
  private static boolean ttlAgentLoaded() throws ReflectiveOperationException {
    Class<?> agent;
    try {
      agent = Class.forName("com.alibaba.ttl.threadpool.agent.TtlAgent", true, null);
    } catch (ClassNotFoundException e) {
      return false;
    }
    return (Boolean) agent.getMethod("isTtlAgentLoaded").invoke(null);
  }
}
