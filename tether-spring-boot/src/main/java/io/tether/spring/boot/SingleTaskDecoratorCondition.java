package io.tether.spring.boot;

import java.util.Arrays;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches where one more {@link TaskDecorator} bean does not switch off the application's own.
 * Spring Boot 4 composes every {@code TaskDecorator} bean into the executors and schedulers it
 * builds; Spring Boot 3 applies one only when it is the only one (with two, neither), so there
 * Tether's backs off when the application has its own, which can compose {@link
 * TetherTaskDecorator} itself ({@code new CompositeTaskDecorator(List.of(mine, new
 * TetherTaskDecorator()))}).
 */
final class SingleTaskDecoratorCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    if (composesDecorators(SpringBootVersion.getVersion())) {
      return ConditionOutcome.match("Spring Boot 4 or later composes every TaskDecorator bean");
    }
    ConfigurableListableBeanFactory beans = context.getBeanFactory();
    String[] own =
        beans == null ? new String[0] : beans.getBeanNamesForType(TaskDecorator.class, true, false);
    return own.length == 0
        ? ConditionOutcome.match("no other TaskDecorator bean")
        : ConditionOutcome.noMatch(
            "Spring Boot 3 applies only a single TaskDecorator bean, and the application has "
                + Arrays.toString(own)
                + ": compose TetherTaskDecorator into it");
  }

  /** Spring Boot 4.0 is the first to compose them; an unknown version is taken as older. */
  static boolean composesDecorators(String bootVersion) {
    if (bootVersion == null) {
      return false;
    }
    int dot = bootVersion.indexOf('.');
    try {
      return Integer.parseInt(dot < 0 ? bootVersion : bootVersion.substring(0, dot)) >= 4;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
