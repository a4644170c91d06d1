package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The nesting of deferred linking methods ({@code ThreadPoolExecutor.execute}): {@link
 * Nesting#leaveDeferred} keeps nothing from the entry, yet gives back exactly the nesting the entry
 * found, whether the method linked its task, a nested one ran inside it, or it was entered inside
 * another linking method or a stage registration.
 */
@Timeout(10)
class NestingTest {

  private ExecutionState s;

  @BeforeEach
  void freshState() {
    s = ExecutionState.current();
    assertThat(s.linkDepth).isEqualTo(Nesting.OUTSIDE);
  }

  @AfterEach
  void balanced() {
    assertThat(s.linkDepth).as("every entry left").isEqualTo(Nesting.OUTSIDE);
  }

  @Test
  void outermostThatLinks_andOneNestedInItsQueue_leaveBackToOutside() {
    Nesting.enterDeferred(s);
    assertThat(Nesting.awaitsLink(s)).isTrue();
    Nesting.settle(s); // its task entered the queue, linked; the queue's offer executes elsewhere:
    Nesting.enterDeferred(s);
    assertThat(Nesting.awaitsLink(s)).as("nested: links nothing").isFalse();
    Nesting.leaveDeferred(s);
    assertThat(Nesting.awaitsLink(s)).as("the outer one stays settled").isFalse();
    assertThat(Nesting.linkBegin(s)).as("nor does a linking method called there").isFalse();
    Nesting.linkEnd(s);
    Nesting.leaveDeferred(s);
    assertThat(Nesting.linkBegin(s)).as("outside again: the next one links").isTrue();
    Nesting.linkEnd(s);
  }

  @Test
  void enteredInsideAnotherLinkingMethod_leavesBackToIt() {
    assertThat(Nesting.linkBegin(s)).isTrue();
    Nesting.enterDeferred(s);
    assertThat(Nesting.awaitsLink(s)).isFalse();
    Nesting.leaveDeferred(s);
    assertThat(s.linkDepth).isEqualTo(Nesting.OUTERMOST);
    Nesting.linkEnd(s);
  }

  @Test
  void outermostThatDidNotLink_leavesBackToOutside() {
    Nesting.enterDeferred(s);
    Nesting.enterDeferred(s);
    Nesting.leaveDeferred(s);
    assertThat(Nesting.awaitsLink(s)).as("the outer one may still link").isTrue();
    Nesting.leaveDeferred(s);
  }

  @Test
  void insideAStageRegistration_nothingLinks_andTheNestingComesBack() {
    Nesting.stageBegin(s);
    Nesting.enterDeferred(s);
    assertThat(Nesting.awaitsLink(s)).isFalse();
    Nesting.leaveDeferred(s);
    Nesting.stageEnd(s);
  }

  @Test
  void aRejectionHandlerInsideALinkedOne_linksAfresh_andTheOuterStaysSettled() {
    Nesting.enterDeferred(s);
    Nesting.settle(s);
    int suspended = Nesting.suspend(s); // reject: the handler runs the task in the caller
    Nesting.enterDeferred(s);
    assertThat(Nesting.awaitsLink(s)).as("the handler's own execute links").isTrue();
    Nesting.settle(s);
    Nesting.leaveDeferred(s);
    Nesting.resume(s, suspended);
    assertThat(Nesting.awaitsLink(s)).isFalse();
    Nesting.leaveDeferred(s);
  }
}
