package io.tether.junit5;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link NoDanglingAsyncWork}: each test (with its {@code @BeforeEach} and
 * {@code @AfterEach} methods) runs in an {@link AsyncWork.Scope} of its own; after it, the
 * extension waits the grace period for that scope's work to end, and fails the test with one line
 * per leftover (its type, its state and the call site that created it) if some has not.
 *
 * <p>Register it with {@code @NoDanglingAsyncWork} (grace period configurable) or
 * {@code @ExtendWith(DanglingWorkExtension.class)} (one second of grace). Inside the test, {@link
 * AsyncWork#awaitIdle(Duration)} waits for the work it started.
 */
public final class DanglingWorkExtension
    implements BeforeEachCallback, AfterEachCallback, InvocationInterceptor {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(DanglingWorkExtension.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NAMESPACE).put("scope", AsyncWork.open(context.getUniqueId()));
  }

  private static AsyncWork.Scope scope(ExtensionContext context) {
    return context.getStore(NAMESPACE).get("scope", AsyncWork.Scope.class);
  }

  private static <T> T inScope(Invocation<T> invocation, ExtensionContext context)
      throws Throwable {
    AsyncWork.Scope scope = scope(context);
    if (scope == null) {
      return invocation.proceed();
    }
    Object[] result = new Object[1];
    Throwable[] thrown = new Throwable[1];
    scope.run(
        () -> {
          try {
            result[0] = invocation.proceed();
          } catch (Throwable t) {
            thrown[0] = t;
          }
        });
    if (thrown[0] != null) {
      throw thrown[0];
    }
    @SuppressWarnings("unchecked")
    T t = (T) result[0];
    return t;
  }

  @Override
  public void interceptBeforeEachMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    inScope(invocation, context);
  }

  @Override
  public void interceptTestMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    inScope(invocation, context);
  }

  @Override
  public void interceptTestTemplateMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    inScope(invocation, context);
  }

  @Override
  public void interceptAfterEachMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    inScope(invocation, context);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    AsyncWork.Scope scope = context.getStore(NAMESPACE).remove("scope", AsyncWork.Scope.class);
    if (scope == null) {
      return;
    }
    long grace = grace(context);
    try {
      if (scope.awaitIdle(Duration.ofMillis(grace))) {
        return;
      }
      List<AsyncWork.Leftover> leftovers = scope.pending();
      if (leftovers.isEmpty()) {
        return;
      }
      StringBuilder message =
          new StringBuilder()
              .append(leftovers.size())
              .append(leftovers.size() == 1 ? " async resource" : " async resources")
              .append(" started by this test ")
              .append(leftovers.size() == 1 ? "was" : "were")
              .append(" still pending ")
              .append(grace)
              .append(" ms after it ended:");
      for (AsyncWork.Leftover l : leftovers) {
        message.append("\n  ").append(l);
      }
      throw new AssertionError(message.toString());
    } finally {
      scope.close();
    }
  }

  private static long grace(ExtensionContext context) {
    Optional<NoDanglingAsyncWork> onMethod =
        context
            .getTestMethod()
            .flatMap(m -> AnnotationSupport.findAnnotation(m, NoDanglingAsyncWork.class));
    if (onMethod.isPresent()) {
      return onMethod.get().graceMillis();
    }
    return context
        .getTestClass()
        .flatMap(c -> AnnotationSupport.findAnnotation(c, NoDanglingAsyncWork.class))
        .map(NoDanglingAsyncWork::graceMillis)
        .orElse(1000L);
  }
}
