package io.tether.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.testing.NoContextLeft;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

class ExamplesTest {

  @RegisterExtension
  static final NoContextLeft NO_CONTEXT_LEFT =
      NoContextLeft.of(RequestLogger.REQUEST_ID, WorkerPool.SUBMITTER, EventListener.CONTEXT)
          .andNoThreadsLeft();

  @Test
  void select_all_namesEveryExampleInOrder() {
    assertThat(Examples.select("all"))
        .containsExactly("request-logger", "worker-pool", "event-listener");
  }

  @Test
  void select_blank_meansAll() {
    assertThat(Examples.select(" ")).isEqualTo(Examples.select("all"));
  }

  @Test
  void select_oneName_namesOnlyIt() {
    assertThat(Examples.select("Worker-Pool")).containsExactly("worker-pool");
  }

  @Test
  void select_unknownName_throwsNamingTheAcceptedOnes() {
    assertThatThrownBy(() -> Examples.select("http"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown example 'http': expected one of all, request-logger, worker-pool,"
                + " event-listener");
  }

  @Test
  @Timeout(60)
  void run_all_printsEveryExampleUnderItsHeader() throws Exception {
    Output out = new Output();

    Examples.run(Examples.select("all"), out.stream);

    assertThat(out.text())
        .isEqualToNormalizingNewlines(
            String.join(
                "\n",
                List.of(
                    "== request-logger: AsyncLocalStorage, the HTTP request logger ==",
                    "0: start",
                    "0: finish",
                    "1: start",
                    "1: finish",
                    "",
                    "== worker-pool: AsyncResource for a worker thread pool ==",
                    "0 null 142 (store: 0)",
                    "1 null 142 (store: 1)",
                    "2 null 142 (store: 2)",
                    "3 null 142 (store: 3)",
                    "4 null 142 (store: 4)",
                    "5 null 142 (store: 5)",
                    "6 null 142 (store: 6)",
                    "7 null 142 (store: 7)",
                    "8 null 142 (store: 8)",
                    "9 null 142 (store: 9)",
                    "",
                    "== event-listener: AsyncResource.bind for event listeners ==",
                    "bound listener sees: request-1",
                    "plain listener sees: emitter-ctx",
                    "")));
  }

  @Test
  @Timeout(30)
  void run_oneName_printsOnlyThatExample() throws Exception {
    Output out = new Output();

    Examples.run(Examples.select("event-listener"), out.stream);

    assertThat(out.lines())
        .containsExactly(
            "== event-listener: AsyncResource.bind for event listeners ==",
            "bound listener sees: request-1",
            "plain listener sees: emitter-ctx");
  }
}
