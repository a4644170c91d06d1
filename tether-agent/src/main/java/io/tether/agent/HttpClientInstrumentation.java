package io.tether.agent;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;

import io.tether.AgentSupport;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.asm.Advice;

/**
 * {@code java.net.http.HttpClient}: each {@code sendAsync} is an {@code HTTP_CLIENT_EXCHANGE}
 * linked at the call, whose continuation runs when the response future completes. Stages the
 * caller registers on the response run in the caller's context through the
 * {@link FutureInstrumentation}. The client's own selector thread is started under suppression.
 */
final class HttpClientInstrumentation extends BoundaryInstrumentation {

  @Override
  AgentOptions.Family family() {
    return AgentOptions.Family.HTTP;
  }

  @Override
  ElementMatcher.Junction<TypeDescription> jdkTypes() {
    return named("jdk.internal.net.http.HttpClientImpl");
  }

  @Override
  AgentBuilder extend(AgentBuilder builder) {
    return builder
        .type(named("jdk.internal.net.http.HttpClientImpl"))
        .transform(advice(isPublic().and(named("sendAsync")), SendAsyncAdvice.class))
        .transform(advice(isConstructor(), TimerInstrumentation.ConstructorAdvice.class));
  }

  static final class SendAsyncAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static boolean enter() {
      return AgentSupport.linkBegin();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter boolean outermost, @Advice.Return Object response) {
      AgentSupport.linkEnd();
      if (outermost) {
        AgentSupport.httpExchange(response);
      }
    }
  }
}
