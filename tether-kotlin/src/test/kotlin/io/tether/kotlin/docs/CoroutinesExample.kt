// The Kotlin block of docs/integrations.md, word for word between the two comments (DocsTest
// compares them), compiled by this module's build and run by DocsTest.
package io.tether.kotlin.docs

import io.tether.AsyncLocalStorage
import io.tether.kotlin.TetherContext
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/** What each step of [handle] read, in order, for DocsTest. */
val seen: MutableList<String?> = java.util.Collections.synchronizedList(mutableListOf())

suspend fun load(): String? = REQUEST_ID.store.also { seen += "load: $it" }

// docs: integrations-kotlin
val REQUEST_ID = AsyncLocalStorage<String>("requestId")
val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default + TetherContext())

fun handle() = REQUEST_ID.run("r-42") {
  scope.launch {                                  // launched in r-42's context
    delay(100)
    REQUEST_ID.store                              // "r-42", on whichever thread resumed it
    withContext(Dispatchers.IO) { REQUEST_ID.store }  // "r-42"
    val user = async { load() }                   // load() sees "r-42"
    REQUEST_ID.enterWith("r-42/step-2")           // this coroutine, and what it launches next
    user.await()
    REQUEST_ID.store                              // "r-42/step-2": its own, after every suspension
  }
}
// end docs
