package io.tether.kotlin

import io.tether.internal.ExecutionState
import io.tether.internal.Frame
import io.tether.testing.NoContextLeft
import java.lang.reflect.Modifier
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlin.coroutines.Continuation
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.coroutines.startCoroutine
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout
import org.junit.jupiter.api.extension.RegisterExtension

/** [TetherCoroutines.withTether], the agent's entry point, and the element's key. */
@Timeout(30)
internal class TetherCoroutinesTest {

  companion object {
    @JvmField
    @RegisterExtension
    val NO_CONTEXT_LEFT: NoContextLeft = NoContextLeft.of(REQUEST, OTHER).andNoThreadsLeft()
  }

  @AfterEach
  fun testThreadHoldsNoFrame() {
    assertThat(ExecutionState.current().frame).isSameAs(Frame.EMPTY)
  }

  @Test
  fun withTether_addsAnElementHoldingTheCurrentContext_usedAsIs() {
    // As the agent will: the element goes into a context that kotlinx installs without copying.
    val contexts =
      listOf("a", "b").associateWith { me ->
        REQUEST.within(me) { TetherCoroutines.withTether(Dispatchers.Default) }
      }
    val seen =
      contexts.mapValues { (_, context) ->
        val result = CompletableFuture<String?>()
        val body: suspend () -> String? = {
          delay(1)
          REQUEST.store
        }
        body.startCoroutine(Continuation(context) { result.complete(it.getOrThrow()) })
        result
      }

    assertThat(contexts.values).allSatisfy { assertThat(it[TetherContext]).isNotNull() }
    assertThat(seen.mapValues { it.value.get(10, TimeUnit.SECONDS) })
      .containsExactlyInAnyOrderEntriesOf(mapOf("a" to "a", "b" to "b"))
  }

  @Test
  fun withTether_contextWithAnElement_returnsItUnchanged() {
    val context = Dispatchers.IO + CoroutineName("named") + TetherContext()

    assertThat(TetherCoroutines.withTether(context)).isSameAs(context)
  }

  @Test
  fun withTether_emptyContext_returnsTheElementAlone() {
    val context = TetherCoroutines.withTether(EmptyCoroutineContext)

    assertThat(context).isInstanceOf(TetherContext::class.java)
    assertThat(context[TetherContext]).isSameAs(context)
  }

  @Test
  fun withTether_failingContext_returnsItUnchanged() {
    val broken =
      object : CoroutineContext {
        override fun <E : CoroutineContext.Element> get(key: CoroutineContext.Key<E>): E? =
          throw IllegalStateException("broken context")

        override fun <R> fold(initial: R, operation: (R, CoroutineContext.Element) -> R): R =
          throw IllegalStateException("broken context")

        override fun plus(context: CoroutineContext): CoroutineContext =
          throw IllegalStateException("broken context")

        override fun minusKey(key: CoroutineContext.Key<*>): CoroutineContext =
          throw IllegalStateException("broken context")
      }

    assertThat(TetherCoroutines.withTether(broken)).isSameAs(broken)
  }

  @Test
  fun withTether_isAStaticMethodForJava() {
    val method = TetherCoroutines::class.java.getMethod("withTether", CoroutineContext::class.java)

    assertThat(Modifier.isStatic(method.modifiers)).isTrue()
    assertThat(method.returnType).isEqualTo(CoroutineContext::class.java)
  }

  @Test
  fun key_findsEachCoroutinesOwnElement() {
    val elements = mutableListOf<TetherContext?>()
    runBlocking(TetherContext()) {
      elements += coroutineContext[TetherContext]
      launch { elements += coroutineContext[TetherContext] }.join()
    }

    assertThat(elements).doesNotContainNull().doesNotHaveDuplicates().hasSize(2)
    assertThat(elements[0].toString()).isEqualTo("TetherContext")
  }
}
