package io.tether.examples;

import io.tether.AsyncResource;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Native callbacks, Node's {@code napi_threadsafe_function} case: a JNI library ({@code
 * src/main/c/native_worker.c}, built by this module with gcc into {@code
 * target/native/libtethernative.so}) does its work on a pthread of its own, which attaches to the
 * JVM and calls back into Java. No Java code starts that thread, so no agent can see the hop; as a
 * Node add-on does, the Java side creates an {@link AsyncResource} ({@code NATIVE_WORK}) where the
 * work starts and runs the callback in its scope: the callback sees the context of the code that
 * started the work, and hooks see {@code init}, {@code before}, {@code after} and {@code destroy}.
 *
 * <pre>{@code
 * NativeWorker.load(Path.of("tether-examples/target/native/libtethernative.so"));
 * REQUEST_ID.run(7, () -> NativeWorker.submit("select", result ->
 *     log(result)));                      // 7: SELECT, on thread native-worker-1
 * }</pre>
 */
public final class NativeWorker {

  /** What the native thread calls. */
  public interface Callback {
    /** Called once, on the native worker thread, with the result. */
    void complete(String result);
  }

  private static final AtomicInteger WORKERS = new AtomicInteger();

  private NativeWorker() {}

  /** Loads the native library (once per JVM). */
  public static void load(Path library) {
    System.load(library.toAbsolutePath().toString());
  }

  private static native void startNative(Callback callback, String input, int worker);

  /**
   * Starts native work on {@code input}; {@code done} runs on the native thread, in the context
   * that is current here, as the continuation of a {@code NATIVE_WORK} resource.
   */
  public static void submit(String input, Consumer<String> done) {
    if (input == null || done == null) {
      throw new IllegalArgumentException("input and done must not be null");
    }
    AsyncResource work = new AsyncResource("NATIVE_WORK");
    try {
      startNative(
          result -> {
            try {
              work.runInAsyncScope(() -> done.accept(result));
            } finally {
              work.emitDestroy();
            }
          },
          input,
          WORKERS.incrementAndGet());
    } catch (RuntimeException | Error e) {
      work.emitDestroy(); // no thread will call back
      throw e;
    }
  }
}
