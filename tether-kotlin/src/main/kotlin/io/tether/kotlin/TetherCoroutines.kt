package io.tether.kotlin

import kotlin.coroutines.CoroutineContext

/** Static entry points for Java and for the Tether agent. */
public object TetherCoroutines {

  /**
   * Returns [context] with a [TetherContext] holding the current context, or [context] itself if
   * it has one already. Never throws: on any failure it returns [context] unchanged.
   *
   * The Tether agent calls it on the context kotlinx makes for every new coroutine, so that
   * coroutines follow Tether's context with no code change. Without the agent, call it where a root
   * scope's context is made, from Java or Kotlin:
   * ```
   * CoroutineScope scope = CoroutineScopeKt.CoroutineScope(
   *     TetherCoroutines.withTether(Dispatchers.getDefault()));
   * ```
   *
   * @param context a coroutine context
   * @return [context], with a [TetherContext] if it had none
   */
  @JvmStatic
  public fun withTether(context: CoroutineContext): CoroutineContext =
    try {
      if (context[TetherContext] != null) context else context + TetherContext()
    } catch (failure: Throwable) {
      context
    }
}
