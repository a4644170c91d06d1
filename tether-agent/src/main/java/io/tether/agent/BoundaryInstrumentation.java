package io.tether.agent;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.description.type.TypeList;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One family of JDK async boundaries: which types it instruments, and how. Advice is nested in
 * each implementation as static classes with {@code suppress = Throwable.class}, calling only
 * {@link io.tether.AgentSupport} (on the bootstrap class path) and JDK types.
 */
abstract class BoundaryInstrumentation {

  abstract AgentOptions.Family family();

  abstract AgentBuilder extend(AgentBuilder builder);

  /**
   * The JDK types (by name, so that nothing is loaded to match them) that this instrumentation
   * transforms. Every other JDK type is ignored before ByteBuddy describes it, which keeps the
   * agent's start-up from parsing the class file of every class already loaded.
   */
  abstract ElementMatcher.Junction<TypeDescription> jdkTypes();

  /** A transformer that applies {@code advice} to the methods {@code methods} matches. */
  static AgentBuilder.Transformer advice(
      ElementMatcher<? super MethodDescription> methods, Class<?> advice) {
    return new AgentBuilder.Transformer.ForAdvice(Advice.withCustomMapping())
        .include(BoundaryInstrumentation.class.getClassLoader())
        .advice(methods, advice.getName());
  }

  /**
   * Matches {@code typeName} and its subtypes, by name, so that installing the agent loads none of
   * the JDK classes it instruments (an agent that only transforms classes as they load, such as
   * TransmittableThreadLocal's, may come after this one). A super type that cannot be described is
   * skipped rather than failing the match: an interface another agent added while transforming
   * the class (OpenTelemetry's virtual-field accessors, whose class files no class loader serves)
   * or one missing from the class path. ByteBuddy's {@code isSubTypeOf} would throw there, and the
   * class would run without any of Tether's instrumentation.
   *
   * @param isInterface whether {@code typeName} is an interface (only then are interfaces walked)
   */
  static ElementMatcher.Junction<TypeDescription> isSubTypeOf(String typeName,
      boolean isInterface) {
    return new ElementMatcher.Junction.AbstractBase<TypeDescription>() {
      @Override
      public boolean matches(TypeDescription target) {
        return isSubType(target, typeName, isInterface);
      }

      @Override
      public String toString() {
        return "isSubTypeOf(" + typeName + ")";
      }
    };
  }

  private static boolean isSubType(TypeDefinition type, String typeName, boolean isInterface) {
    TypeDescription erasure;
    try {
      erasure = type.asErasure();
      if (erasure.getName().equals(typeName)) {
        return true;
      }
    } catch (RuntimeException unresolvable) {
      return false;
    }
    try {
      TypeDescription.Generic superClass = erasure.getSuperClass();
      if (superClass != null && isSubType(superClass, typeName, isInterface)) {
        return true;
      }
    } catch (RuntimeException unresolvable) {
      // not through this branch of the hierarchy
    }
    if (isInterface) {
      TypeList.Generic interfaces;
      try {
        interfaces = erasure.getInterfaces();
      } catch (RuntimeException unresolvable) {
        return false;
      }
      for (int i = 0; i < interfaces.size(); i++) {
        try {
          if (isSubType(interfaces.get(i), typeName, true)) {
            return true;
          }
        } catch (RuntimeException unresolvable) {
          // not through this interface
        }
      }
    }
    return false;
  }
}
