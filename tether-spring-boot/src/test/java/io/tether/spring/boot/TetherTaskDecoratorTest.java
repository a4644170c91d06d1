package io.tether.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncLocalStorage;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Waits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootVersion;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TetherTaskDecoratorTest {

  static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  @Test
  void decorate_taskRunsInTheSubmittersContextAndLeavesNoneOnThePoolThread() {
    ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
    executor.setCorePoolSize(1);
    executor.setTaskDecorator(new TetherTaskDecorator());
    executor.initialize();
    try {
      CompletableFuture<String> seen = new CompletableFuture<>();
      REQUEST.run("r-7", () -> executor.execute(() -> seen.complete(REQUEST.getStore())));
      assertThat(Waits.join(seen)).isEqualTo("r-7");

      CompletableFuture<String> next = new CompletableFuture<>();
      executor.execute(() -> next.complete(String.valueOf(REQUEST.getStore())));
      assertThat(Waits.join(next)).as("the same pool thread's next task").isEqualTo("null");
    } finally {
      executor.shutdown();
    }
  }

  @Test
  void springBoot_isTheVersionTheBuildNames() {
    assertThat(SpringBootVersion.getVersion())
        .isNotNull()
        .isEqualTo(System.getProperty("tether.test.spring-boot.version"));
  }

  @Test
  void agentCondition_withoutTheAgent_notInstalled() {
    assertThat(TetherAgentCondition.isAgentInstalled(getClass().getClassLoader())).isFalse();
  }

  @Test
  void composesDecorators_fromSpringBoot4() {
    assertThat(SingleTaskDecoratorCondition.composesDecorators("3.5.7")).isFalse();
    assertThat(SingleTaskDecoratorCondition.composesDecorators("4.0.7")).isTrue();
    assertThat(SingleTaskDecoratorCondition.composesDecorators("10")).isTrue();
    assertThat(SingleTaskDecoratorCondition.composesDecorators(null)).isFalse();
    assertThat(SingleTaskDecoratorCondition.composesDecorators("dev")).isFalse();
  }

  @Test
  void configurationMetadata_describesEveryProperty() throws IOException {
    String metadata;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // Read without a JSON library: Spring Boot 3 and 4 test class paths carry different Jacksons.
    Matcher name = Pattern.compile("\"name\": \"(tether\\.[^\"]+)\"").matcher(metadata);
    List<String> names = new ArrayList<>();
    while (name.find()) {
      names.add(name.group(1));
    }
    assertThat(names)
        .containsExactly(
            "tether.mdc.enabled",
            "tether.task-decorator.enabled",
            "tether.reactor.enabled",
            "tether.w3c.enabled");
    assertThat(metadata.split("\"description\"", -1)).hasSize(1 + 1 + names.size());
  }
}
