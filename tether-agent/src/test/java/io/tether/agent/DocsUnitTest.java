package io.tether.agent;

import io.tether.testing.DocBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The code blocks of docs/agent.md compile against the agent and tether-core. */
@Timeout(120)
class DocsUnitTest {

  @Test
  void install_compiles() {
    DocBlocks.compile(
        "agent-install",
        """
        class AgentInstall {
          static void main() {
            %s
          }
        }
        """);
  }

  @Test
  void futures_compiles() {
    DocBlocks.compile(
        "agent-futures",
        """
        import io.tether.AsyncLocalStorage;
        import java.util.concurrent.CompletableFuture;

        class AgentFutures {
          static final AsyncLocalStorage<Integer> REQUEST_ID = new AsyncLocalStorage<>("requestId");

          static void request() {
            %s
          }
        }
        """);
  }
}
