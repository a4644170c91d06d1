/**
 * Tether: Node.js asynchronous context tracking for the JVM. The API is package {@code io.tether}:
 * {@link io.tether.AsyncLocalStorage}, {@link io.tether.AsyncResource}, {@link
 * io.tether.AsyncHooks} and {@link io.tether.AsyncExecutors}.
 *
 * <p>{@code io.tether.internal} is not API: the machinery behind it, exported only to Tether's own
 * modules. Under the java agent this jar is appended to the bootstrap class path, where classes
 * live in the boot loader's unnamed module and this descriptor does not apply; that is why the
 * agent's woven code can call {@code io.tether.internal.WovenCalls} from {@code java.base}.
 */
// The friends below are other artifacts of Tether, absent when this one is compiled: javac's
// "module not found" lint is about them, and only them.
@SuppressWarnings("module")
module io.tether {
  exports io.tether;
  exports io.tether.internal to
      io.tether.agent,
      io.tether.recorder,
      io.tether.trace,
      io.tether.junit5,
      io.tether.kotlin;
}
