package io.tether.libraries.netty;

import io.tether.testing.AgentAttached;
import io.tether.testing.PeerAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each failsafe execution runs this module's tests with Tether's agent alone or beside a peer agent
 * ({@code tether.peer.agent}): the peer it names is attached, and no other.
 */
@ExtendWith(AgentAttached.class)
@Timeout(10)
class PeerAgentTest {

  @Test
  void expectedPeerAgent_isAttached_andNoOther() {
    PeerAgent.assertExpectedAttached();
  }
}
