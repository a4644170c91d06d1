package io.tether.log4j2;

import io.tether.testing.DocBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Log4j 2 block of docs/integrations.md compiles against tether-log4j2 and Log4j. */
@Timeout(120)
class DocsUnitTest {

  @Test
  void threadContext_compiles() {
    DocBlocks.compile(
        "integrations-log4j2",
        """
        import io.tether.log4j2.TetherThreadContext;
        import java.util.concurrent.CompletableFuture;
        import java.util.concurrent.ExecutorService;
        import org.apache.logging.log4j.LogManager;
        import org.apache.logging.log4j.Logger;

        class Orders {
          final Logger log = LogManager.getLogger(Orders.class);
          final ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();

          String load() {
            return "rows";
          }

          void handle() {
            %s
          }
        }
        """);
  }
}
