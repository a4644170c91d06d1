package io.tether.agent;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.tether.AgentSupport;
import java.nio.channels.CompletionHandler;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * NIO.2: every method of the JDK's asynchronous channels that takes a {@code CompletionHandler}
 * (socket, server socket and file channels) links an {@code NIO_COMPLETION} at the call, and the
 * handler's {@code completed}/{@code failed} run in that context. Handlers are the channel's
 * private business, so wrapping them is invisible to the application.
 */
final class NioInstrumentation extends BoundaryInstrumentation {

  @Override
  AgentOptions.Family family() {
    return AgentOptions.Family.NIO;
  }

  @Override
  ElementMatcher.Junction<TypeDescription> jdkTypes() {
    return nameStartsWith("sun.nio.ch.");
  }

  @Override
  AgentBuilder extend(AgentBuilder builder) {
    return builder
        .type(nameStartsWith("sun.nio.ch.")
            .and(isSubTypeOf("java.nio.channels.AsynchronousChannel", true)))
        .transform(advice(not(isAbstract()).and(takesCompletionHandler()), HandlerAdvice.class));
  }

  private static ElementMatcher<MethodDescription> takesCompletionHandler() {
    TypeDescription handler = TypeDescription.ForLoadedType.of(CompletionHandler.class);
    return method -> method.getParameters().asTypeList().asErasures().contains(handler);
  }

  static final class HandlerAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(
        @Advice.AllArguments(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object[] args) {
      args = AgentSupport.wrapCompletionHandlers(args);
    }
  }
}
