package io.tether.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails a test that leaves async work it started unfinished: tasks queued or running, {@code
 * CompletableFuture}s never completed, threads still alive, timers still scheduled, async resources
 * never destroyed. What the test started is known from Tether's async context, so work on shared
 * pools is blamed on the test that started it, never on another. On a class, it applies to every
 * test of the class; on a method, to that test. See {@link DanglingWorkExtension}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(DanglingWorkExtension.class)
public @interface NoDanglingAsyncWork {

  /** How long the work may take to end after the test (and its {@code @AfterEach}) returned. */
  long graceMillis() default 1000;
}
