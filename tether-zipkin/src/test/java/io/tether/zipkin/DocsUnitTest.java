package io.tether.zipkin;

import io.tether.testing.DocBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Zipkin block of docs/integrations.md compiles against tether-zipkin. */
@Timeout(120)
class DocsUnitTest {

  @Test
  void export_compiles() {
    DocBlocks.compile(
        "integrations-zipkin",
        """
        import io.tether.trace.Trace;
        import io.tether.zipkin.ZipkinExport;
        import java.net.URI;
        import java.nio.file.Path;

        class Export {
          static void send() throws Exception {
            %s
          }
        }
        """);
  }
}
