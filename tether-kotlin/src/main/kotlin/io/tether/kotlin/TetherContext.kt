package io.tether.kotlin

import io.tether.internal.ExecutionState
import io.tether.internal.Frame
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.CopyableThreadContextElement
import kotlinx.coroutines.DelicateCoroutinesApi
import kotlinx.coroutines.ExperimentalCoroutinesApi

/**
 * A coroutine context element that makes coroutines follow Node's `async`/`await` semantics for
 * Tether's context: a coroutine sees the context that was current where it was launched, in every
 * resumption, on any dispatcher and whichever thread resumes it.
 *
 * ```
 * val REQUEST = AsyncLocalStorage<String>("request")
 *
 * runBlocking(TetherContext()) {     // or CoroutineScope(Dispatchers.Default + TetherContext())
 *   REQUEST.run("r-42") {
 *     launch(Dispatchers.IO) {
 *       delay(10)
 *       REQUEST.store                     // "r-42", on whichever IO thread resumes it
 *     }
 *   }
 * }
 * ```
 *
 * - Each coroutine has its own element: kotlinx copies it for every coroutine launched in a context
 *   that holds it (`launch`, `async`, `produce`, `flowOn`, ...), and the copy takes the context
 *   current on the launching thread at that moment ([copyForChild], [mergeForChild]). So a value
 *   set with `run` around a `launch`, or with `enterWith` before it, is seen by that coroutine.
 * - `enterWith` inside a coroutine holds across its own suspensions: when a step of the coroutine
 *   ends, the element keeps the thread's context as the coroutine's ([restoreThreadContext]). It is
 *   seen by the coroutines it launches afterwards, never by its parent or its siblings.
 * - `withContext`, `coroutineScope`, `withTimeout` and the like do not start a coroutine of their
 *   own: they share the caller's element, like a function call, so an `enterWith` inside their
 *   block is still seen after it returns. Give the block an element of its own
 *   (`withContext(Dispatchers.IO + TetherContext())`) to keep it inside.
 * - When a step ends, the thread's own context is restored exactly: nothing reaches the pool
 *   thread or the next coroutine it runs.
 *
 * Cautions:
 * - Which context a coroutine starts in is decided where it is launched, not by the instance its
 *   context names: the context an instance was made in (`TetherContext()` takes the current one)
 *   is what a coroutine sees only when kotlinx installs that instance as it is, as
 *   [TetherCoroutines.withTether] does. To launch in another context, launch inside
 *   `storage.run(...)` or `snapshot.run { ... }`.
 * - Coroutines whose context has no `TetherContext` are not followed (without the agent): they
 *   see whatever the thread that runs them holds. Put the element in the root scope's context:
 *   every coroutine launched from it inherits a copy.
 * - Under the Tether agent every coroutine gets the element without being asked.
 */
@OptIn(ExperimentalCoroutinesApi::class, DelicateCoroutinesApi::class)
public class TetherContext private constructor(
  // The coroutine's context between its steps. While a step runs, the thread's frame is the
  // coroutine's context and this field is stale; the step writes the thread's frame back here at
  // its end. Written only by the owner, before it lets go; read by the next owner.
  private var frame: Frame
) : CopyableThreadContextElement<Frame?> {

  /*
   * Invariants. `owner` is the state of the thread that runs a step of this coroutine now, or null
   * between steps. A step takes ownership before it installs `frame` and lets go after it wrote the
   * thread's frame back, so that each step starts from the context the previous step ended with.
   *
   * kotlinx may resume a coroutine on thread B while the step that suspended it is still
   * unwinding on thread A (A's restoreThreadContext comes late; see CopyableThreadContextElement's
   * documentation). B then waits for A's write-back, which is a few returns away, instead of
   * starting from a stale context and losing A's last enterWith. A step that finds the element
   * owned by its own thread runs nested inside the owner's step (an undispatched withContext,
   * Dispatchers.Unconfined): the thread's frame is already the coroutine's, and the outer step
   * writes it back.
   *
   * If the owner does not let go within GIVE_UP_NANOS (it cannot happen through kotlinx's builders,
   * which never run two steps sharing an element at once; it could through raw coroutine APIs), the
   * step runs from the last written-back context and writes nothing back, rather than hang.
   */
  @Volatile private var owner: ExecutionState? = null

  /** An element holding the current context, for a coroutine context or scope. */
  public constructor() : this(ExecutionState.current().frame)

  /** The key of this element in a [CoroutineContext]: `coroutineContext[TetherContext]`. */
  public companion object Key : CoroutineContext.Key<TetherContext> {
    // In the companion, so that the updater is created by TetherContext's static initializer (it
    // checks its caller's access to the private field).
    private val OWNER: AtomicReferenceFieldUpdater<TetherContext, ExecutionState> =
      AtomicReferenceFieldUpdater.newUpdater(
        TetherContext::class.java,
        ExecutionState::class.java,
        "owner",
      )

    private const val SPINS = 100
    private val GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(1)
  }

  /** This element's key, [TetherContext.Key]. */
  override val key: CoroutineContext.Key<TetherContext>
    get() = Key

  /**
   * Makes the coroutine's context current on this thread, before a step of the coroutine runs.
   * Called by kotlinx.
   *
   * @return the thread's previous frame, for [restoreThreadContext]; `null` when this step runs
   *   nested inside another step of the same coroutine on this thread
   */
  override fun updateThreadContext(context: CoroutineContext): Frame? {
    val state = ExecutionState.current()
    if (!OWNER.compareAndSet(this, null, state)) {
      if (owner === state) {
        return null
      }
      waitForOwnership(state)
    }
    val previous = state.frame
    state.setFrame(frame)
    return previous
  }

  /**
   * Keeps the thread's context as the coroutine's, and restores the thread's previous frame, after
   * a step of the coroutine. Called by kotlinx.
   */
  override fun restoreThreadContext(context: CoroutineContext, oldState: Frame?) {
    if (oldState == null) {
      return
    }
    val state = ExecutionState.current()
    if (owner === state) {
      frame = state.frame
      OWNER.lazySet(this, null)
    }
    state.setFrame(oldState)
  }

  /** A new element for a coroutine launched now: it holds the context current on this thread. */
  override fun copyForChild(): CopyableThreadContextElement<Frame?> = TetherContext()

  /**
   * A new element for a coroutine launched now with a [TetherContext] of its own: like
   * [copyForChild], it holds the context current on this thread.
   */
  override fun mergeForChild(overwritingElement: CoroutineContext.Element): CoroutineContext =
    TetherContext()

  override fun toString(): String = "TetherContext"

  /** Waits until the step that owns this element lets go, then owns it; or gives up. */
  private fun waitForOwnership(state: ExecutionState) {
    var spins = 0
    var deadline = 0L
    while (!OWNER.compareAndSet(this, null, state)) {
      if (spins < SPINS) {
        spins++
        Thread.onSpinWait()
      } else {
        val now = System.nanoTime()
        if (deadline == 0L) {
          deadline = now + GIVE_UP_NANOS
        } else if (now - deadline > 0) {
          return
        }
        Thread.yield()
      }
    }
  }
}
