package io.tether.junit5;

import io.tether.testing.DocBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The block of docs/tools.md about dangling work compiles against tether-junit5. */
@Timeout(120)
class DocsUnitTest {

  @Test
  void noDanglingAsyncWork_compiles() {
    DocBlocks.compile(
        "tools-no-dangling",
        """
        import io.tether.junit5.NoDanglingAsyncWork;
        import org.junit.jupiter.api.Test;

        %s

        class OrderService {
          void place(String order) {}
        }
        """);
  }
}
