package io.tether.libraries.kotlin

import io.tether.AsyncLocalStorage
import java.util.concurrent.Executor
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.function.Supplier
import kotlin.concurrent.thread
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.DelicateCoroutinesApi
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.newSingleThreadContext

/** The storage the tests follow, and a second one that must never mix with it. */
internal val REQUEST = AsyncLocalStorage<String>("request")
internal val OTHER = AsyncLocalStorage<String>("other")

/** [block]'s result, with [value] in this storage: `run`'s Supplier form, picked by name. */
internal fun <R> AsyncLocalStorage<String>.within(value: String?, block: () -> R): R =
  run(value, Supplier { block() })

/** Completes [gate] from a new thread that is itself in context "intruder", and waits for it. */
internal fun openFromAnotherThread(gate: CompletableDeferred<Unit>) {
  val opener = thread(name = "opener") { REQUEST.within("intruder") { gate.complete(Unit) } }
  opener.join(TimeUnit.SECONDS.toMillis(10))
}

/** Every dispatcher the element must work on; [open] makes one, closed by the returned handle. */
internal enum class DispatcherKind {
  DEFAULT,
  IO,
  UNCONFINED,
  SINGLE_THREAD,
  EXECUTOR;

  /** Runs [block] with a dispatcher of this kind, then closes what it opened. */
  @OptIn(DelicateCoroutinesApi::class, ExperimentalCoroutinesApi::class)
  fun <T> use(block: (CoroutineDispatcher) -> T): T =
    when (this) {
      DEFAULT -> block(Dispatchers.Default)
      IO -> block(Dispatchers.IO)
      UNCONFINED -> block(Dispatchers.Unconfined)
      SINGLE_THREAD -> newSingleThreadContext("tether-single").use(block)
      EXECUTOR -> {
        // A plain Executor (not an ExecutorService): Executor.asCoroutineDispatcher().
        val pool: ExecutorService = Executors.newFixedThreadPool(2)
        try {
          block(Executor { task -> pool.execute(task) }.asCoroutineDispatcher())
        } finally {
          pool.shutdown()
          pool.awaitTermination(10, TimeUnit.SECONDS)
        }
      }
    }
}
