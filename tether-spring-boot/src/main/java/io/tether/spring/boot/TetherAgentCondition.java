package io.tether.spring.boot;

import java.lang.reflect.Method;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when the Tether agent is not installed in this JVM. The agent's {@code TetherAgent} is
 * looked up by name (the agent jar is on the system class path under {@code -javaagent}; this
 * module does not depend on it) and asked {@code isInstalled()}, which also covers {@code
 * TetherAgent.install()} at run time.
 */
final class TetherAgentCondition extends SpringBootCondition {

  static final String AGENT_CLASS = "io.tether.agent.TetherAgent";

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    return isAgentInstalled(context.getClassLoader())
        ? ConditionOutcome.noMatch("the Tether agent is installed: it links Spring's tasks itself")
        : ConditionOutcome.match("the Tether agent is not installed");
  }

  static boolean isAgentInstalled(ClassLoader loader) {
    try {
      Class<?> agent = Class.forName(AGENT_CLASS, false, loader);
      Method installed = agent.getMethod("isInstalled");
      return Boolean.TRUE.equals(installed.invoke(null));
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    } catch (ReflectiveOperationException e) {
      return false; // an agent jar without isInstalled(): not one this module knows
    }
  }
}
