package io.tether.libraries.kotlin

import io.tether.internal.ExecutionState
import io.tether.internal.Frame
import io.tether.testing.NoContextLeft
import java.util.Collections
import java.util.concurrent.Callable
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread
import kotlin.coroutines.resume
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.supervisorScope
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.entry
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout
import org.junit.jupiter.api.extension.RegisterExtension
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource

/**
 * Coroutines under the agent, with no code change and without tether-kotlin on the class path (the
 * agent defines its classes in kotlinx's class loader): Node's `async`/`await` semantics on every
 * dispatcher. The scenarios of tether-kotlin's `TetherContextTest`, with no element given anywhere.
 * Each runs two coroutines at once, in contexts "a" and "b", and checks what each saw at every step.
 */
@Timeout(30)
internal class CoroutinesAgentTest {

  companion object {
    @JvmField
    @RegisterExtension
    val NO_CONTEXT_LEFT: NoContextLeft = NoContextLeft.of(REQUEST, OTHER).andNoThreadsLeft()
  }

  @AfterEach
  fun testThreadHoldsNoFrame() {
    assertThat(ExecutionState.current().frame).isSameAs(Frame.EMPTY)
  }

  /** What one coroutine saw, step by step, and the gate it waits at. */
  private class Trace(private val gate: CompletableDeferred<Unit>) {
    val ready = CompletableDeferred<Unit>()
    // One coroutine writes it, one step at a time; read after that coroutine ended.
    val seen: MutableList<String?> = Collections.synchronizedList(mutableListOf())

    fun record() {
      seen += REQUEST.store
    }

    /** Suspends until the test opens the gate, from another thread in another context. */
    suspend fun awaitGate() {
      ready.complete(Unit)
      gate.await()
    }
  }

  /**
   * Starts [body] twice at once with [start] (a `launch`, an `async`), in contexts "a" and "b";
   * once both wait at the gate, opens it from a thread in context "intruder"; returns what each
   * recorded. [body] must call [Trace.awaitGate] once.
   */
  private fun twoAtOnce(
    start: CoroutineScope.(suspend CoroutineScope.() -> Unit) -> Job,
    body: suspend CoroutineScope.(Trace) -> Unit,
  ): Map<String, List<String?>> =
    runBlocking {
      val gate = CompletableDeferred<Unit>()
      val traces = mapOf("a" to Trace(gate), "b" to Trace(gate))
      val jobs = traces.map { (value, trace) -> REQUEST.within(value) { start { body(trace) } } }
      traces.values.map { it.ready }.awaitAll()
      openFromAnotherThread(gate)
      jobs.joinAll()
      traces.mapValues { it.value.seen.toList() }
    }

  @ParameterizedTest
  @EnumSource(DispatcherKind::class)
  fun launch_seesLaunchContextInEveryResumption(kind: DispatcherKind) {
    val seen =
      kind.use { dispatcher ->
        twoAtOnce({ launch(dispatcher, block = it) }) { trace ->
          trace.record()
          trace.awaitGate() // resumed by a thread in context "intruder"
          trace.record()
          delay(5)
          trace.record()
          yield()
          trace.record()
        }
      }

    assertThat(seen).containsOnly(entry("a", List(4) { "a" }), entry("b", List(4) { "b" }))
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind::class)
  fun async_seesLaunchContext_andAwaitResumesInAwaitersContext(kind: DispatcherKind) {
    val seen =
      kind.use { dispatcher ->
        twoAtOnce({ launch(Dispatchers.Default, block = it) }) { trace ->
          val inner =
            async(dispatcher) {
              val before = REQUEST.store
              trace.awaitGate()
              delay(1)
              listOf(before, REQUEST.store)
            }
          REQUEST.enterWith(REQUEST.store + "-awaiter") // after the launch: not the async's
          trace.seen += inner.await()
          trace.record()
        }
      }

    assertThat(seen)
      .containsOnly(
        entry("a", listOf("a", "a", "a-awaiter")),
        entry("b", listOf("b", "b", "b-awaiter")),
      )
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind::class)
  fun withContext_keepsTheCallersContext_inAndAfterTheBlock(kind: DispatcherKind) {
    val seen =
      kind.use { dispatcher ->
        twoAtOnce({ launch(Dispatchers.Default, block = it) }) { trace ->
          trace.awaitGate()
          withContext(dispatcher) {
            trace.record()
            delay(1)
            trace.record()
          }
          trace.record()
          // Same dispatcher, another context: kotlinx runs the block undispatched.
          withContext(CoroutineName("undispatched")) {
            trace.record()
            yield()
            trace.record()
          }
          trace.record()
        }
      }

    assertThat(seen).containsOnly(entry("a", List(6) { "a" }), entry("b", List(6) { "b" }))
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind::class)
  fun suspendCancellableCoroutine_resumedOnAnotherThreadInAnotherContext(kind: DispatcherKind) {
    val resumers = ConcurrentHashMap<String, String?>()
    val resumerThreads = Collections.synchronizedList(mutableListOf<Thread>())
    val seen =
      kind.use { dispatcher ->
        twoAtOnce({ launch(dispatcher, block = it) }) { trace ->
          trace.awaitGate()
          val mine = REQUEST.store!!
          suspendCancellableCoroutine { continuation ->
            resumerThreads +=
              thread(name = "resumer-$mine") {
                REQUEST.within("resumer") {
                  continuation.resume(Unit) // Unconfined: the coroutine runs right here
                  resumers[mine] = REQUEST.store
                }
              }
          }
          trace.record()
          delay(1)
          trace.record()
        }
      }

    resumerThreads.forEach { it.join(TimeUnit.SECONDS.toMillis(10)) }
    assertThat(seen).containsOnly(entry("a", List(2) { "a" }), entry("b", List(2) { "b" }))
    assertThat(resumers).containsOnly(entry("a", "resumer"), entry("b", "resumer"))
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind::class)
  fun enterWith_holdsAcrossTheCoroutinesOwnSuspensions(kind: DispatcherKind) {
    val seen =
      kind.use { dispatcher ->
        twoAtOnce({ launch(dispatcher, block = it) }) { trace ->
          REQUEST.enterWith(REQUEST.store + "2")
          trace.awaitGate()
          trace.record()
          yield()
          trace.record()
          delay(1)
          trace.record()
          withContext(Dispatchers.IO) { trace.record() }
          trace.record()
          coroutineScope { trace.record() }
          trace.record()
        }
      }

    assertThat(seen).containsOnly(entry("a", List(7) { "a2" }), entry("b", List(7) { "b2" }))
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind::class)
  fun enterWith_seenByCoroutinesLaunchedAfter_neverByParentOrSiblings(kind: DispatcherKind) {
    val seen = ConcurrentHashMap<String, String?>()
    kind.use { dispatcher ->
      twoAtOnce({ launch(dispatcher, block = it) }) { trace ->
        val me = REQUEST.store!!
        val siblingMayLook = CompletableDeferred<Unit>()
        val sibling =
          launch(dispatcher) { // launched before anything below
            siblingMayLook.await()
            seen["$me/sibling"] = REQUEST.store
          }
        REQUEST.enterWith("$me-parent")
        trace.awaitGate()
        launch(dispatcher) {
            seen["$me/child"] = REQUEST.store
            REQUEST.enterWith("$me-child")
            yield()
            launch(dispatcher) { seen["$me/grandchild"] = REQUEST.store }.join()
            seen["$me/child after"] = REQUEST.store
          }
          .join()
        seen["$me/parent after"] = REQUEST.store
        siblingMayLook.complete(Unit)
        sibling.join()
      }
    }

    for (me in listOf("a", "b")) {
      assertThat(seen)
        .contains(
          entry("$me/sibling", me),
          entry("$me/child", "$me-parent"),
          entry("$me/grandchild", "$me-child"),
          entry("$me/child after", "$me-child"),
          entry("$me/parent after", "$me-parent"),
        )
    }
    assertThat(seen).hasSize(10)
  }

  @Test
  fun interleavedOnOneThread_eachCoroutineKeepsItsOwnContext() {
    val steps = mutableListOf<String>() // one thread
    val threads = mutableSetOf<Thread>()
    runBlocking {
      listOf("a", "b")
        .map { me ->
          REQUEST.within(me) {
            launch {
              repeat(3) { i ->
                REQUEST.enterWith("$me$i")
                yield() // lets the other one run on this thread
                steps += "$me$i:${REQUEST.store}"
                threads += Thread.currentThread()
              }
            }
          }
        }
        .joinAll()
    }

    assertThat(threads).containsExactly(Thread.currentThread())
    assertThat(steps).containsExactly("a0:a0", "b0:b0", "a1:a1", "b1:b1", "a2:a2", "b2:b2")
  }

  @Test
  fun stepEnd_restoresThePoolThreadsOwnContextExactly() {
    val pool = Executors.newSingleThreadExecutor()
    val dispatcher = pool.asCoroutineDispatcher() // closed with the pool
    fun probe(): List<String?> = pool.submit(Callable { listOf(REQUEST.store, OTHER.store) }).get()
    try {
      // Under the agent a pool task's enterWith ends with the task: the worker carries nothing
      // between tasks, and a coroutine's step leaves nothing behind either.
      pool.submit { OTHER.enterWith("worker's own") }.get()
      val seen = mutableListOf<Any?>()
      runBlocking {
        // A supervisor: the coroutine's failure is the test's to see, not runBlocking's.
        supervisorScope {
          val suspended = CompletableDeferred<Unit>()
          val resume = CompletableDeferred<Unit>()
          val coroutine =
            REQUEST.within("a") {
              async(dispatcher) {
                seen.add(listOf(REQUEST.store, OTHER.store)) // the launch context, not the worker's
                REQUEST.enterWith("a2")
                OTHER.enterWith("coroutine's")
                suspended.complete(Unit)
                resume.await()
                seen.add(listOf(REQUEST.store, OTHER.store))
                error("failed after enterWith")
              }
            }
          suspended.await()
          seen.add(probe()) // queued behind the step: runs once it ended
          resume.complete(Unit)
          seen.add(runCatching { coroutine.await() }.exceptionOrNull()?.message)
          seen.add(probe())
        }
      }

      assertThat(seen)
        .containsExactly(
          listOf("a", null),
          listOf(null, null),
          listOf("a2", "coroutine's"),
          "failed after enterWith",
          listOf(null, null),
        )
    } finally {
      pool.submit { ExecutionState.current().setFrame(Frame.EMPTY) }.get()
      pool.shutdown()
      pool.awaitTermination(10, TimeUnit.SECONDS)
    }
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind::class)
  fun flowOn_bodyAndCollectorSeeTheCollectorsLaunchContext(kind: DispatcherKind) {
    val emitted =
      flow {
          emit(REQUEST.store)
          delay(1)
          emit(REQUEST.store)
        }
        .flowOn(Dispatchers.Default)
    val seen =
      kind.use { dispatcher ->
        twoAtOnce({ launch(dispatcher, block = it) }) { trace ->
          trace.awaitGate()
          emitted.collect { value ->
            trace.seen += value // what the flow body saw
            trace.record() // what the collector sees
          }
        }
      }

    assertThat(seen).containsOnly(entry("a", List(4) { "a" }), entry("b", List(4) { "b" }))
  }

  @Test
  fun scopeLaunch_takesTheLaunchPointsContext_notTheScopes() {
    val scope =
      REQUEST.within("scope made") { CoroutineScope(Dispatchers.Default) }
    try {
      val launched =
        listOf("a", "b").map { me ->
          REQUEST.within(me) {
            scope.async {
              delay(1)
              REQUEST.store
            }
          }
        }
      val seen = runBlocking { launched.awaitAll() }

      assertThat(seen).containsExactly("a", "b")
    } finally {
      scope.cancel()
    }
  }

  @Test
  fun integrationsDocExample_holdsForTwoRequestsAtOnce() {
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    suspend fun load(): String? = withContext(Dispatchers.IO) { REQUEST.store }
    try {
      val requests =
        listOf("r-1", "r-2").map { id ->
          REQUEST.within(id) {
            scope.async {
              val seen = mutableListOf<String?>()
              delay(10)
              seen += REQUEST.store
              seen += withContext(Dispatchers.IO) { REQUEST.store }
              val user = async { load() }
              REQUEST.enterWith("$id/step-2")
              seen += user.await()
              seen += REQUEST.store
              seen.toList()
            }
          }
        }
      val seen = runBlocking { requests.awaitAll() }

      assertThat(seen)
        .containsExactly(
          listOf("r-1", "r-1", "r-1", "r-1/step-2"),
          listOf("r-2", "r-2", "r-2", "r-2/step-2"),
        )
    } finally {
      scope.cancel()
    }
  }

  @Test
  fun everyCoroutineGetsTheElement_fromTheAgent() {
    val names = runBlocking {
      listOf(
        coroutineContext.toString(),
        async(Dispatchers.Default) { coroutineContext.toString() }.await(),
        withContext(Dispatchers.IO) { coroutineContext.toString() },
      )
    }

    assertThat(names).allSatisfy { assertThat(it).contains("TetherContext") }
    // Not on this module's class path: defined by the agent in kotlinx's class loader.
    assertThat(Class.forName("io.tether.kotlin.TetherContext").classLoader)
      .isSameAs(CoroutineScope::class.java.classLoader)
  }

  @Test
  fun enterWith_heldWhenResumedBeforeTheSuspendingStepEnded_stress() {
    // Each resume races the end of the step that suspended (kotlinx documents this interleaving):
    // the resumed step must start from the context the suspending step ended with.
    val resumer = Executors.newSingleThreadExecutor()
    val wrong = ConcurrentHashMap<String, String?>()
    try {
      runBlocking {
        (1..4)
          .map { c ->
            launch(Dispatchers.Default) {
              repeat(2_000) { n ->
                val mine = "c$c-$n"
                REQUEST.enterWith(mine)
                if (n % 2 == 0) {
                  yield()
                } else {
                  suspendCancellableCoroutine { cont -> resumer.execute { cont.resume(Unit) } }
                }
                if (REQUEST.store != mine) {
                  wrong[mine] = REQUEST.store
                }
              }
            }
          }
          .joinAll()
      }
    } finally {
      resumer.shutdown()
      resumer.awaitTermination(10, TimeUnit.SECONDS)
    }

    assertThat(wrong).isEmpty()
  }
}
