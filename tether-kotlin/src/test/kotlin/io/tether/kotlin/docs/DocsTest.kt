package io.tether.kotlin.docs

import io.tether.testing.DocBlocks
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.Job
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout

/**
 * The Kotlin block of docs/integrations.md is [CoroutinesExample.kt]'s region word for word, which
 * this module's build compiles; run, the coroutine it launches reads r-42 in the function it
 * awaits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DocsTest {

  @Test
  fun kotlinBlock_isTheCompiledExample() {
    val source =
      Path.of("src", "test", "kotlin", "io", "tether", "kotlin", "docs", "CoroutinesExample.kt")
    assertThat(DocBlocks.region(source, "integrations-kotlin"))
      .isEqualTo(DocBlocks.named("integrations-kotlin").text())
  }

  @Test
  fun kotlinBlock_runs() {
    handle()
    runBlocking { scope.coroutineContext[Job]!!.children.toList().forEach { it.join() } }
    assertThat(seen).containsExactly("load: r-42")
    assertThat(REQUEST_ID.store).isNull()
  }
}
