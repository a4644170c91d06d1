package io.tether.agent;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One family of JDK async boundaries: which types it instruments, and how. Advice is nested in
 * each implementation as static classes with {@code suppress = Throwable.class}, calling only
 * {@link io.tether.AgentSupport} (on the bootstrap class path) and JDK types.
 */
abstract class BoundaryInstrumentation {

  abstract AgentOptions.Family family();

  abstract AgentBuilder extend(AgentBuilder builder);

  /** A transformer that applies {@code advice} to the methods {@code methods} matches. */
  static AgentBuilder.Transformer advice(
      ElementMatcher<? super MethodDescription> methods, Class<?> advice) {
    return new AgentBuilder.Transformer.ForAdvice(Advice.withCustomMapping())
        .include(BoundaryInstrumentation.class.getClassLoader())
        .advice(methods, advice.getName());
  }
}
