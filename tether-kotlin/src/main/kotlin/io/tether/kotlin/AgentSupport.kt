package io.tether.kotlin

import java.util.function.BiFunction
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.CoroutineScope

/**
 * What the Tether agent calls, through tether-core, from kotlinx's `newCoroutineContext(parent,
 * added)`: the context `added` to a new coroutine, with a [TetherContext] holding the current
 * context where neither the parent (a scope or a coroutine context) nor `added` has one. Where the
 * parent has one, kotlinx copies it for the new coroutine itself. Not public API: its name and shape
 * are the agent's business. Never throws: on any failure `added` passes unchanged.
 */
public class AgentSupport : BiFunction<Any?, Any?, Any?> {

  override fun apply(parent: Any?, added: Any?): Any? =
    try {
      if (added !is CoroutineContext || added[TetherContext] != null) {
        added
      } else {
        val parentContext =
          when (parent) {
            is CoroutineScope -> parent.coroutineContext
            is CoroutineContext -> parent
            else -> null
          }
        if (parentContext?.get(TetherContext) != null) added else added + TetherContext()
      }
    } catch (failure: Throwable) {
      added
    }
}
