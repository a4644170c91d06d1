package io.tether.slf4j;

import io.tether.testing.DocBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SLF4J block of docs/integrations.md compiles against tether-slf4j and SLF4J. */
@Timeout(120)
class DocsUnitTest {

  @Test
  void mdc_compiles() {
    DocBlocks.compile(
        "integrations-slf4j",
        """
        import io.tether.slf4j.TetherMDC;
        import java.util.concurrent.CompletableFuture;
        import java.util.concurrent.ExecutorService;
        import org.slf4j.Logger;
        import org.slf4j.LoggerFactory;

        class Orders {
          final Logger log = LoggerFactory.getLogger(Orders.class);
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
