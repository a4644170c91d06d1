package io.tether.agent;

import static io.tether.agent.MethodAdvice.ENTER;
import static io.tether.agent.MethodAdvice.RETURN;
import static io.tether.agent.MethodAdvice.THIS;
import static io.tether.agent.MethodAdvice.THROWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.agent.Boundaries.Methods;
import io.tether.agent.Boundaries.Rule;
import io.tether.agent.WeaverUnitTest.OneClassLoader;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.TypePath;
import org.objectweb.asm.TypeReference;

/**
 * The net the weaver writes around each woven call: advice that throws (here {@link FailingAdvice}
 * in place of {@code WovenCalls}) never reaches the method it was woven into, which goes on with
 * what it would have had without the agent, for each shape of advice; a substitution, which
 * replaces a call of the method's own, throws what that call would. The woven classes are defined
 * by a class loader of the test's, so the JVM verifies them, their new handlers and frames
 * included, in each {@link Form} the weaver may be handed a class in.
 */
@Timeout(30)
class AdviceNetUnitTest {

  private static final String FAILING = FailingAdvice.class.getName().replace('.', '/');
  private static final String TARGET = NetTarget.class.getName().replace('.', '/');
  private static final String O_O = "(Ljava/lang/Object;)Ljava/lang/Object;";
  private static final String O_V = "(Ljava/lang/Object;)V";

  /** Marks a catch parameter's type, a type annotation that names its handler by index. */
  @Target(ElementType.TYPE_USE)
  @Retention(RetentionPolicy.RUNTIME)
  @interface CatchMarker {}

  /** The methods advice is woven into, one per shape, with control flow the frames must survive. */
  public static final class NetTarget {
    public Object result;
    public NetTarget other;
    public Throwable caught;
    public String note;

    public int enterInt(int x) {
      return x * 2;
    }

    public boolean enterBoolean(boolean x) {
      return !x;
    }

    public long enterLong(long x) {
      return x + 1;
    }

    public Object enterObject(Object x) {
      return x;
    }

    /** Its first instruction is a loop head: a frame of its own where the entry net ends. */
    public int loopAtStart(int n) {
      while (n > 0) {
        n--;
      }
      return n;
    }

    public Object replacedTask(Runnable task, long pad, Object other) {
      return pad == 7 ? task : other;
    }

    public Object replacedParameter(Runnable task, Function<Object, Object> f) {
      return task;
    }

    public long returnsLong(int branch) {
      if (branch == 0) {
        return 10L;
      }
      try {
        if (branch == 1) {
          return 11L;
        }
        note = "try";
      } catch (Throwable t) {
        return -1L;
      }
      return 12L;
    }

    public double returnsDouble(double d) {
      return d / 2;
    }

    public Object returnsObject(Object o) {
      try {
        return o;
      } finally {
        note = "finally";
      }
    }

    public void returnsVoid() {
      note = "void";
    }

    public String throwsOwn(boolean fail) {
      if (fail) {
        throw new IllegalStateException("own");
      }
      return "fine";
    }

    /** Field writes with values below on the stack, an object under construction, a loop, a try. */
    public String writes(Object v, long counter) {
      result = v;
      other.result = result = v;
      StringBuilder b = new StringBuilder(String.valueOf(result = v));
      for (int i = 0; i < 2; i++) {
        counter += i;
        try {
          result = i == 0 ? v : b;
        } catch (Throwable t) {
          caught = t;
        }
      }
      switch ((int) counter) {
        case 1:
          result = "one";
          break;
        default:
          result = v;
      }
      return b.append(counter).append(result).toString();
    }

    public String annotatedCatch(Object v) {
      try {
        result = v;
        if (v == null) {
          throw new IllegalStateException();
        }
      } catch (@CatchMarker IllegalStateException e) {
        return "caught";
      }
      return "ok";
    }

    public void runs(Runnable task) {
      task.run();
    }

    public void runsFailing(Runnable task) {
      task.run();
    }
  }

  /** How the class to weave comes to the weaver. */
  enum Form {
    /** As compiled, with its stack map frames: the JVM's type checker verifies the result. */
    FRAMES,
    /**
     * Without stack map frames in a class file that should have them, as HotSpot hands over a JDK
     * class retransformed after it was loaded (it keeps no frames of a class it does not verify).
     * The JVM would not verify such a class; here the woven one is loaded as version 49, which the
     * JVM's inference verifier checks without frames.
     */
    STRIPPED;

    byte[] weave(Class<?> type, List<Rule> rules) throws Exception {
      byte[] bytes = WeaverUnitTest.classFile(type);
      if (this == STRIPPED) {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(bytes).accept(writer, ClassReader.SKIP_FRAMES);
        bytes = writer.toByteArray();
      }
      byte[] woven = Weaver.weave(bytes, rules);
      assertThat(woven).isNotNull();
      if (this == STRIPPED) {
        // Methods that branch but have no frame were stripped of them: they get none either.
        for (String branching :
            new String[] {"loopAtStart", "returnsLong", "returnsObject", "throwsOwn", "writes"}) {
          assertThat(framesOf(woven, branching)).as(branching).isZero();
        }
        woven = woven.clone();
        woven[6] = 0;
        woven[7] = 49;
      }
      return woven;
    }
  }

  /** How many stack map frames method {@code name} of {@code classFile} has. */
  private static int framesOf(byte[] classFile, String name) {
    int[] frames = new int[1];
    new ClassReader(classFile)
        .accept(
            new ClassVisitor(Weaver.ASM_API) {
              @Override
              public MethodVisitor visitMethod(
                  int access,
                  String method,
                  String descriptor,
                  String signature,
                  String[] exceptions) {
                return !method.equals(name)
                    ? null
                    : new MethodVisitor(Weaver.ASM_API) {
                      @Override
                      public void visitFrame(
                          int type, int numLocal, Object[] local, int numStack, Object[] stack) {
                        frames[0]++;
                      }
                    };
              }
            },
            0);
    return frames[0];
  }

  @BeforeEach
  void clearCalls() {
    FailingAdvice.CALLS.clear();
  }

  private static Rule rule(String method, MethodAdvice advice) {
    return new Rule(Methods.named(method), advice.calling(FAILING));
  }

  private static Object woven(Form form, Class<?> type, List<Rule> rules) throws Exception {
    byte[] woven = form.weave(type, rules);
    return new OneClassLoader(type.getName(), woven)
        .loadClass(type.getName())
        .getConstructor()
        .newInstance();
  }

  /** Calls {@code name} on {@code target}; what the method throws, it throws. */
  private static Object call(Object target, String name, Object... args) throws Throwable {
    for (Method m : target.getClass().getMethods()) {
      if (m.getName().equals(name)) {
        try {
          return m.invoke(target, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      }
    }
    throw new NoSuchMethodException(name);
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void entryResult_failing_leavesTheDefault(Form form) throws Throwable {
    Object target =
        woven(
            form,
            NetTarget.class,
            List.of(
                rule(
                    "enterInt",
                    MethodAdvice.enter("failInt", "()I").exit("recordInt", "(I)V", ENTER)),
                rule(
                    "enterBoolean",
                    MethodAdvice.enter("failBoolean", "()Z").exit("recordBoolean", "(Z)V", ENTER)),
                rule(
                    "enterLong",
                    MethodAdvice.enter("failLong", "()J").exit("recordLong", "(J)V", ENTER)),
                rule(
                    "enterObject",
                    MethodAdvice.enter("failObject", O_O, THIS).exit("recordObject", O_V, ENTER)),
                rule(
                    "loopAtStart",
                    MethodAdvice.enter("failInt", "()I").exit("recordInt", "(I)V", ENTER))));

    assertThat(call(target, "enterInt", 21)).isEqualTo(42);
    assertThat(call(target, "enterBoolean", false)).isEqualTo(true);
    assertThat(call(target, "enterLong", 41L)).isEqualTo(42L);
    assertThat(call(target, "enterObject", "x")).isEqualTo("x");
    assertThat(call(target, "loopAtStart", 3)).isEqualTo(0);
    assertThat(FailingAdvice.CALLS)
        .containsExactly(
            "failInt",
            "recordInt 0",
            "failBoolean",
            "recordBoolean false",
            "failLong",
            "recordLong 0",
            "failObject",
            "recordObject null",
            "failInt",
            "recordInt 0");
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void entryReplacingAParameter_failing_leavesTheOriginalArgument(Form form) throws Throwable {
    Object target =
        woven(
            form,
            NetTarget.class,
            List.of(
                rule(
                    "replacedTask",
                    MethodAdvice.enterReplacing(0, "executorEnter", O_O, 0)
                        .exit("linkEnd", "()V"))));
    Runnable task = () -> {};

    assertThat(call(target, "replacedTask", task, 7L, "other")).isSameAs(task);
    assertThat(FailingAdvice.CALLS).containsExactly("executorEnter", "linkEnd");
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void parameterReplacement_failing_leavesTheOriginalArgument(Form form) throws Throwable {
    Object target =
        woven(
            form,
            NetTarget.class,
            List.of(
                rule(
                    "replacedParameter",
                    MethodAdvice.enter("failObject", O_O, THIS)
                        .exit("recordObject", O_V, ENTER)
                        .replace(
                            "Ljava/lang/Runnable;",
                            new MethodAdvice.Replacement(
                                "failCallback",
                                "(Ljava/lang/Object;Ljava/lang/Object;I)Ljava/lang/Object;",
                                3,
                                true)))));
    Runnable task = () -> {};

    assertThat(call(target, "replacedParameter", task, Function.identity())).isSameAs(task);
    // The entry call failed first: the replacement still ran, with the default link.
    assertThat(FailingAdvice.CALLS)
        .containsExactly("failObject", "failCallback null 3", "recordObject null");
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void exitOnReturn_failing_returnsTheValueUnchanged(Form form) throws Throwable {
    NetTarget plain = new NetTarget();
    Object target =
        woven(
            form,
            NetTarget.class,
            List.of(
                rule(
                    "returnsLong",
                    MethodAdvice.none()
                        .exitOnReturn("failReturnLong", "(JLjava/lang/Object;)V", RETURN, THIS)),
                rule(
                    "returnsDouble",
                    MethodAdvice.none()
                        .exitOnReturn("failReturnDouble", "(DLjava/lang/Object;)V", RETURN, THIS)),
                rule(
                    "returnsObject",
                    MethodAdvice.none()
                        .exitOnReturn(
                            "failReturnObject",
                            "(Ljava/lang/Object;Ljava/lang/Object;)V",
                            RETURN,
                            THIS)),
                rule(
                    "returnsVoid",
                    MethodAdvice.none()
                        .exit(
                            "failExit",
                            "(Ljava/lang/Throwable;Ljava/lang/Object;)V",
                            THROWN,
                            THIS)),
                rule("<init>", MethodAdvice.none().exitOnReturn("failEnter", O_V, THIS))));

    // A return inside a try whose catch (Throwable) would take the advice's failure for the
    // method's own: the net catches first.
    for (int branch = 0; branch < 3; branch++) {
      assertThat(call(target, "returnsLong", branch)).isEqualTo(plain.returnsLong(branch));
    }
    assertThat(call(target, "returnsDouble", 5.0)).isEqualTo(2.5);
    assertThat(call(target, "returnsObject", "o")).isEqualTo("o");
    call(target, "returnsVoid");
    assertThat(target.getClass().getField("note").get(target)).isEqualTo("void");
    assertThat(FailingAdvice.CALLS)
        .containsExactly(
            "failEnter",
            "failReturnLong 10",
            "failReturnLong 11",
            "failReturnLong 12",
            "failReturnDouble 2.5",
            "failReturnObject o",
            "failExit null");
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void exitOnThrow_failing_letsTheMethodsOwnThrowableGoOn(Form form) throws Throwable {
    Object target =
        woven(
            form,
            NetTarget.class,
            List.of(
                rule(
                    "throwsOwn",
                    MethodAdvice.enter("failEnter", O_V, THIS)
                        .exit(
                            "failExit",
                            "(Ljava/lang/Throwable;Ljava/lang/Object;)V",
                            THROWN,
                            THIS))));

    assertThatThrownBy(() -> call(target, "throwsOwn", true))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("own");
    assertThat(call(target, "throwsOwn", false)).isEqualTo("fine");
    assertThat(FailingAdvice.CALLS)
        .containsExactly("failEnter", "failExit own", "failEnter", "failExit null");
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void callAfterAFieldWrite_failing_letsTheMethodGoOn(Form form) throws Throwable {
    Object target =
        woven(
            form,
            NetTarget.class,
            List.of(
                rule(
                    "writes",
                    MethodAdvice.none().afterFieldWrite(TARGET, "result", "failWritten"))));
    Class<?> type = target.getClass();
    Object other = type.getConstructor().newInstance();
    type.getField("other").set(target, other);

    assertThat(call(target, "writes", "v", 0L)).isEqualTo("v1one");
    assertThat(type.getField("result").get(target)).isEqualTo("one");
    assertThat(type.getField("result").get(other)).isEqualTo("v");
    // The write inside a try whose catch (Throwable) would take the advice's failure.
    assertThat(type.getField("caught").get(target)).isNull();
    assertThat(FailingAdvice.CALLS).hasSize(7).containsOnly("failWritten");
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void substitution_isNotNetted_theApplicationsExceptionGoesOn(Form form) throws Throwable {
    Object target =
        woven(
            form,
            NetTarget.class,
            List.of(
                rule(
                    "runs",
                    MethodAdvice.none()
                        .substitute(
                            "java/lang/Runnable",
                            "run",
                            "()V",
                            "runTask",
                            "(Ljava/lang/Runnable;)V")),
                rule(
                    "runsFailing",
                    MethodAdvice.none()
                        .substitute(
                            "java/lang/Runnable",
                            "run",
                            "()V",
                            "failRunTask",
                            "(Ljava/lang/Runnable;)V"))));
    Runnable failing =
        () -> {
          throw new IllegalArgumentException("application");
        };

    assertThatThrownBy(() -> call(target, "runs", failing))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("application");
    assertThatThrownBy(() -> call(target, "runsFailing", failing))
        .isExactlyInstanceOf(FailingAdvice.Failure.class);
    assertThat(FailingAdvice.CALLS).containsExactly("runTask", "failRunTask");
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void substitutionWithTheEntrysResult_getsItOrTheDefaultWhenTheEntryFailed(Form form)
      throws Throwable {
    String runWith = "(Ljava/lang/Runnable;Ljava/lang/Object;)V";
    Object target =
        woven(
            form,
            NetTarget.class,
            List.of(
                rule(
                    "runs",
                    MethodAdvice.enter("enterState", "()Ljava/lang/Object;")
                        .substituteWithEnter(
                            "java/lang/Runnable", "run", "()V", "runTaskWith", runWith)),
                rule(
                    "runsFailing",
                    MethodAdvice.enter("failObject", O_O, THIS)
                        .substituteWithEnter(
                            "java/lang/Runnable", "run", "()V", "runTaskWith", runWith))));
    List<String> ran = new java.util.ArrayList<>();

    call(target, "runs", (Runnable) () -> ran.add("runs"));
    call(target, "runsFailing", (Runnable) () -> ran.add("runsFailing"));

    assertThat(ran).containsExactly("runs", "runsFailing");
    assertThat(FailingAdvice.CALLS)
        .containsExactly("enterState", "runTaskWith state", "failObject", "runTaskWith null");
  }

  @Test
  void substitutionWithTheEntrysResult_needsAnEntryThatReturnsOne() {
    assertThatThrownBy(
            () ->
                MethodAdvice.none()
                    .substituteWithEnter("java/lang/Runnable", "run", "()V", "runTask", "()V"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no entry result to pass to runTask");
  }

  /**
   * The nets come first in the exception table; a type annotation on a catch parameter, which names
   * its entry by index, still names the method's own entry.
   */
  @Test
  void catchParameterAnnotation_stillNamesItsHandler() throws Throwable {
    List<Rule> rules =
        List.of(
            rule(
                "annotatedCatch",
                MethodAdvice.none()
                    .afterFieldWrite(TARGET, "result", "failWritten")
                    .exitOnReturn(
                        "failReturnObject",
                        "(Ljava/lang/Object;Ljava/lang/Object;)V",
                        RETURN,
                        THIS)));
    byte[] woven = Weaver.weave(WeaverUnitTest.classFile(NetTarget.class), rules);
    List<String> handlers = new ArrayList<>();
    int[] annotated = {-1};
    new ClassReader(woven)
        .accept(
            new ClassVisitor(Weaver.ASM_API) {
              @Override
              public MethodVisitor visitMethod(
                  int access,
                  String name,
                  String descriptor,
                  String signature,
                  String[] exceptions) {
                if (!name.equals("annotatedCatch")) {
                  return null;
                }
                return new MethodVisitor(Weaver.ASM_API) {
                  @Override
                  public void visitTryCatchBlock(
                      Label start, Label end, Label handler, String type) {
                    handlers.add(type);
                  }

                  @Override
                  public org.objectweb.asm.AnnotationVisitor visitTryCatchAnnotation(
                      int typeRef, TypePath typePath, String descriptor, boolean visible) {
                    annotated[0] = new TypeReference(typeRef).getTryCatchBlockIndex();
                    return null;
                  }
                };
              }
            },
            0);

    assertThat(handlers).hasSize(4); // two returns, a field write, the method's own catch
    assertThat(annotated[0]).isEqualTo(3);
    assertThat(handlers.get(annotated[0])).isEqualTo("java/lang/IllegalStateException");
    Object target =
        new OneClassLoader(NetTarget.class.getName(), woven)
            .loadClass(NetTarget.class.getName())
            .getConstructor()
            .newInstance();
    assertThat(call(target, "annotatedCatch", "v")).isEqualTo("ok");
    assertThat(call(target, "annotatedCatch", new Object[] {null})).isEqualTo("caught");
  }

  /**
   * An executor as another compiler may write it: it returns with values left below on the operand
   * stack. The nets of the exits, which never go back into the method, do not depend on what is
   * there.
   */
  @Test
  void codeThatLeavesValuesOnTheStack_isNettedToo() throws Throwable {
    byte[] odd = oddExecutor();
    List<Rule> rules = new ArrayList<>();
    for (Rule r : new Boundaries(AgentOptions.parse("")).executors) {
      rules.add(new Rule(r.methods, r.advice.calling(FAILING)));
    }
    rules.add(
        rule(
            "value",
            MethodAdvice.none()
                .exitOnReturn("failReturnLong", "(JLjava/lang/Object;)V", RETURN, THIS)));
    byte[] woven = Weaver.weave(odd, rules);
    Object executor =
        new OneClassLoader("gen.OddExecutor", woven)
            .loadClass("gen.OddExecutor")
            .getConstructor()
            .newInstance();
    int[] ran = new int[1];
    Runnable task = () -> ran[0]++;

    ((Executor) executor).execute(task);
    ((Executor) executor).execute(null);
    assertThat(ran[0]).isEqualTo(1);
    assertThat(call(executor, "value")).isEqualTo(1L);
    assertThat(FailingAdvice.CALLS)
        .containsExactly(
            "executorEnter", "linkEnd", "executorEnter", "linkEnd", "failReturnLong 1");
  }

  /**
   * {@code gen.OddExecutor}: {@code execute} leaves a string on the stack below its returns (one on
   * each side of a branch), {@code value()} one below the {@code long} it returns.
   */
  private static byte[] oddExecutor() {
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    cw.visit(
        Opcodes.V17,
        Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER,
        "gen/OddExecutor",
        null,
        "java/lang/Object",
        new String[] {"java/util/concurrent/Executor"});
    MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    init.visitCode();
    init.visitVarInsn(Opcodes.ALOAD, 0);
    init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
    init.visitInsn(Opcodes.RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();
    MethodVisitor execute =
        cw.visitMethod(Opcodes.ACC_PUBLIC, "execute", "(Ljava/lang/Runnable;)V", null, null);
    execute.visitCode();
    Label run = new Label();
    execute.visitLdcInsn("below");
    execute.visitVarInsn(Opcodes.ALOAD, 1);
    execute.visitJumpInsn(Opcodes.IFNONNULL, run);
    execute.visitInsn(Opcodes.RETURN);
    execute.visitLabel(run);
    execute.visitFrame(
        Opcodes.F_NEW,
        2,
        new Object[] {"gen/OddExecutor", "java/lang/Runnable"},
        1,
        new Object[] {"java/lang/String"});
    execute.visitVarInsn(Opcodes.ALOAD, 1);
    execute.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/lang/Runnable", "run", "()V", true);
    execute.visitInsn(Opcodes.RETURN);
    execute.visitMaxs(0, 0);
    execute.visitEnd();
    MethodVisitor value = cw.visitMethod(Opcodes.ACC_PUBLIC, "value", "()J", null, null);
    value.visitCode();
    value.visitLdcInsn("below");
    value.visitInsn(Opcodes.LCONST_1);
    value.visitInsn(Opcodes.LRETURN);
    value.visitMaxs(0, 0);
    value.visitEnd();
    cw.visitEnd();
    return cw.toByteArray();
  }
}
