package io.tether.agent;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.TypePath;

/**
 * Weaves one {@link MethodAdvice} into one method as ASM visits it (frames expanded). The entry
 * code goes before the method's first instruction, after its own exception handlers are declared,
 * so that the handler added for an exit on throw comes last and catches only what the method itself
 * lets escape. Values the exit needs are copied to new locals above the method's own ({@code
 * maxLocals}, found by a first pass), and every stack map frame of the method is extended with
 * them, so no frame has to be computed (which would load classes from inside a transformer).
 * Constructors get exit code on {@code return} only, reading {@code this} directly.
 *
 * <p><b>The net.</b> Advice never disturbs the method: each woven call but a substitution is
 * protected by a {@code catch (Throwable)} of its own that drops the failure and goes on with what
 * the method would have had without the agent. No frame is computed from class hierarchies; each
 * handler's frame comes from what is known at that point without loading anything, shape by shape:
 *
 * <ul>
 *   <li><b>entry</b> (an entry call, a parameter replaced): it runs before any of the method's
 *       code, where the frame is the method's descriptor itself (plus the weaver's locals so far),
 *       so the handler's frame and the frame where both paths meet again are exact for any
 *       compiler's code. A result kept in a local gets its default (zero, {@code false}, {@code
 *       null}) in the handler; a replaced parameter keeps the original argument, still in its slot
 *       (the store comes after the protected call and cast). The handler sits after the method's
 *       code and jumps back, so the straight path gains no jump.
 *   <li><b>exit on return</b>: the value being returned is copied to a local of the weaver's before
 *       the exit call, and the handler, shared by every {@code return}, returns that copy itself.
 *       It never goes back into the method, so its frame needs none of the method's locals (they
 *       are {@code TOP}) and none of what the method may have left on the operand stack below the
 *       return value (the JVM drops it on a return, and a handler starts with an empty stack):
 *       correct whatever compiler produced the method.
 *   <li><b>exit on throw</b>: likewise, the handler throws the method's own throwable again from
 *       the weaver's local.
 *   <li><b>after a field write</b>: the method must go on after the call with its own locals and
 *       stack, which only an analysis of the method gives: a {@link FrameTracker} follows the
 *       method from frame to frame (only in methods that have such a write) and gives the frame of
 *       the handler and of the point where the paths meet. A throw empties the operand stack, so
 *       whatever the method has below the call is first moved to the weaver's locals and loaded
 *       back after it, on both paths. This handler sits right after the call (the straight path
 *       jumps over it): jumping back from after the method's code would be a backward jump, which
 *       HotSpot refuses while an object under construction is in the frame ({@code new X(this.f =
 *       v)}).
 * </ul>
 *
 * <p>A net must catch before any handler of the method's own: a {@code return} or a field write
 * inside a {@code try} whose {@code catch (Throwable)} or {@code finally} would otherwise take the
 * advice's failure for the method's (and {@code CompletableFuture} writes its {@code result} inside
 * such blocks), as would the handler of the exit on throw, which covers the whole method. The JVM
 * picks the first matching entry of the exception table, so the nets of the calls in the middle of
 * the method are declared before the method's own entries; their number comes from the first pass
 * ({@link Sites}), and the type annotations that name an entry of the table by index are shifted to
 * match. The entry nets and the net of the exit on throw cover code that no other handler covers,
 * so their place in the table does not matter.
 *
 * <p>Where a net ends at an offset where the method has a frame of its own (a loop at offset 0, a
 * label right after a field write), the method's frame is kept and the weaver's dropped: two frames
 * at one offset are not allowed, and the method's frame accepts both paths (it accepted the path
 * that had no net, and the handler's path has the same types).
 */
final class AdviceWeaver extends MethodVisitor {

  private static final String OBJECT = "java/lang/Object";
  private static final String THROWABLE = "java/lang/Throwable";
  private static final Object[] THROWN_STACK = {THROWABLE};

  /**
   * What the first pass of {@link Weaver} finds in a method: its own locals, and how many nets must
   * come before the method's own handlers ({@code return}s with exit code, field writes with a
   * call).
   */
  static final class Sites {
    int maxLocals;
    int returns;
    int fieldWrites;

    /** The method's jumps, switches and handlers. */
    int branches;
  }

  /** The visitor of the first pass that fills {@code sites}. */
  static MethodVisitor counter(MethodAdvice advice, String name, Sites sites) {
    boolean isConstructor = name.equals("<init>");
    return new MethodVisitor(Weaver.ASM_API) {
      @Override
      public void visitInsn(int opcode) {
        if (exitsAt(advice, opcode)) {
          sites.returns++;
        }
      }

      @Override
      public void visitFieldInsn(int opcode, String owner, String field, String descriptor) {
        if (fieldWriteCall(advice, isConstructor, opcode, owner, field, descriptor) != null) {
          sites.fieldWrites++;
        }
      }

      @Override
      public void visitJumpInsn(int opcode, Label label) {
        sites.branches++;
      }

      @Override
      public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
        sites.branches++;
      }

      @Override
      public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
        sites.branches++;
      }

      @Override
      public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
        sites.branches++;
      }

      @Override
      public void visitMaxs(int maxStack, int maxLocals) {
        sites.maxLocals = maxLocals;
      }
    };
  }

  /** Whether {@code opcode} is a return that gets exit code. */
  private static boolean exitsAt(MethodAdvice advice, int opcode) {
    return advice.exitName != null && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN;
  }

  /** The call woven after this field instruction, or {@code null}. */
  private static String fieldWriteCall(
      MethodAdvice advice,
      boolean isConstructor,
      int opcode,
      String owner,
      String name,
      String descriptor) {
    if (opcode != Opcodes.PUTFIELD || isConstructor || descriptor.length() == 1) {
      return null;
    }
    return advice.fieldWrites.get(owner + "." + name);
  }

  /** An entry net's handler, placed after the method's code: it drops the failure, goes back. */
  private static final class Resume {
    final Label handler;
    final Object[] locals;
    final Label resume;

    /** The type of the local given its default in the handler, or {@code null}. */
    final Type defaultType;

    final int defaultSlot;

    Resume(Label handler, Object[] locals, Label resume, Type defaultType, int defaultSlot) {
      this.handler = handler;
      this.locals = locals;
      this.resume = resume;
      this.defaultType = defaultType;
      this.defaultSlot = defaultSlot;
    }
  }

  private final String owner;
  private final MethodAdvice advice;
  private final boolean isStatic;
  private final boolean isConstructor;
  private final boolean frames;
  private final Type[] parameters;
  private final Type returnType;
  private final int firstLocal;
  private int nextLocal;

  /** Frame entries of the locals this weaver added, in slot order. */
  private final List<Object> addedLocals = new ArrayList<>();

  /** Per exit argument: the local holding a copy of {@code this} or a parameter, or -1. */
  private final int[] exitCopies;

  private int enterLocal = -1;
  private int thrownLocal = -1;

  /** The copy of the value being returned, for the net of the exit on return; or -1. */
  private int returnLocal = -1;

  private boolean begun;
  private final Label start = new Label();
  private final Label end = new Label();
  private final Label handler = new Label();

  /** The method's state between frames; only where a net must resume mid-method. */
  private final FrameTracker tracker;

  /** The nets of the {@code return}s (one shared handler) and field writes, declared first. */
  private final Label[] returnStarts;

  private final Label[] returnEnds;
  private final Label returnHandler = new Label();
  private final Label[] writeStarts;
  private final Label[] writeEnds;
  private final Label[] writeHandlers;
  private int returnsWoven;
  private int writesWoven;
  private boolean netsDeclared;
  private final List<Resume> resumes = new ArrayList<>();

  /** A frame for the current offset, written before the next instruction unless the method's. */
  private Object[] pendingLocals;

  private Object[] pendingStack;

  /** The first of the locals that hold what a field write's call has below it, or -1. */
  private int spillBase = -1;

  AdviceWeaver(
      MethodVisitor next,
      String owner,
      int access,
      String name,
      String descriptor,
      MethodAdvice advice,
      Sites sites,
      int frames) {
    super(Weaver.ASM_API, next);
    this.owner = owner;
    this.advice = advice;
    this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
    this.isConstructor = name.equals("<init>");
    // A method that branches in a class without a single frame was stripped of them (a JDK class
    // retransformed: see FrameTracker), and is not verified: it gets none. One that does not
    // branch needs none of its own, and gets the nets' (a class none of whose methods branches).
    this.frames =
        frames == Weaver.FRAMES || frames == Weaver.STRIPPED_FRAMES && sites.branches == 0;
    this.parameters = Type.getArgumentTypes(descriptor);
    this.returnType = Type.getReturnType(descriptor);
    this.firstLocal = sites.maxLocals;
    this.nextLocal = sites.maxLocals;
    this.exitCopies = new int[advice.exitArgs.length];
    if (isConstructor
        && (advice.onThrowable
            || advice.enterName != null
            || !advice.replacements.isEmpty()
            || !advice.argReplacements.isEmpty())) {
      throw new IllegalArgumentException("constructors take exit-on-return advice only");
    }
    returnStarts = labels(sites.returns);
    returnEnds = labels(sites.returns);
    writeStarts = labels(sites.fieldWrites);
    writeEnds = labels(sites.fieldWrites);
    writeHandlers = labels(sites.fieldWrites);
    tracker = sites.fieldWrites > 0 ? new FrameTracker(owner, access, name, descriptor) : null;
  }

  private static Label[] labels(int count) {
    Label[] labels = new Label[count];
    for (int i = 0; i < count; i++) {
      labels[i] = new Label();
    }
    return labels;
  }

  private int parameterSlot(int index) {
    int slot = isStatic ? 0 : 1;
    for (int i = 0; i < index; i++) {
      slot += parameters[i].getSize();
    }
    return slot;
  }

  private int newLocal(Type type) {
    int slot = nextLocal;
    nextLocal += type.getSize();
    return slot;
  }

  private void addFrameLocal(Type type) {
    Object local = FrameTracker.verificationType(type);
    addedLocals.add(local instanceof String ? OBJECT : local);
  }

  /** The type of {@code this} or parameter {@code token}, as the advice sees it. */
  private Type typeOf(int token) {
    return token == MethodAdvice.THIS ? Type.getObjectType(OBJECT) : parameters[token];
  }

  private void load(Type type, int slot) {
    super.visitVarInsn(type.getOpcode(Opcodes.ILOAD), slot);
  }

  private void pushEntryToken(int token) {
    if (token == MethodAdvice.THIS) {
      if (isStatic) {
        super.visitInsn(Opcodes.ACONST_NULL);
      } else {
        super.visitVarInsn(Opcodes.ALOAD, 0);
      }
    } else if (token >= 0) {
      load(parameters[token], parameterSlot(token));
    } else {
      throw new IllegalArgumentException("entry advice takes THIS and parameters, not " + token);
    }
  }

  /** A net: what the woven call from {@code start} to {@code end} throws, {@code handler} gets. */
  private void net(Label start, Label end, Label handler) {
    super.visitTryCatchBlock(start, end, handler, THROWABLE);
  }

  /**
   * Declares the nets of the calls in the middle of the method before any exception handler of the
   * method's own, so that they catch first.
   */
  private void declareNets() {
    if (netsDeclared) {
      return;
    }
    netsDeclared = true;
    for (int i = 0; i < returnStarts.length; i++) {
      net(returnStarts[i], returnEnds[i], returnHandler);
    }
    for (int i = 0; i < writeStarts.length; i++) {
      net(writeStarts[i], writeEnds[i], writeHandlers[i]);
    }
  }

  /**
   * The frame locals at method entry: {@code this} and the parameters as declared (a replaced
   * parameter keeps its declared type), the rest of the method's locals unset, then the locals this
   * weaver added so far.
   */
  private Object[] entryLocals() {
    List<Object> locals = new ArrayList<>(firstLocal + addedLocals.size());
    int slots = 0;
    if (!isStatic) {
      locals.add(owner);
      slots++;
    }
    for (Type parameter : parameters) {
      locals.add(FrameTracker.verificationType(parameter));
      slots += parameter.getSize();
    }
    while (slots < firstLocal) {
      locals.add(Opcodes.TOP);
      slots++;
    }
    locals.addAll(addedLocals);
    return locals.toArray();
  }

  /** Frame locals where only the weaver's locals are known: the method's are all {@code TOP}. */
  private List<Object> addedOnlyLocals() {
    List<Object> locals = new ArrayList<>(firstLocal + addedLocals.size() + 3);
    for (int i = 0; i < firstLocal; i++) {
      locals.add(Opcodes.TOP);
    }
    locals.addAll(addedLocals);
    return locals;
  }

  /** The state where a net's two paths meet: its frame is written before the next instruction. */
  private void resumeAt(Label resume, Object[] locals, Object[] stack) {
    super.visitLabel(resume);
    if (frames) {
      pendingLocals = locals;
      pendingStack = stack;
    }
  }

  private void flushFrame() {
    if (pendingLocals != null) {
      super.visitFrame(
          Opcodes.F_NEW, pendingLocals.length, pendingLocals, pendingStack.length, pendingStack);
      pendingLocals = null;
      pendingStack = null;
    }
  }

  private void begin() {
    if (begun) {
      return;
    }
    begun = true;
    declareNets();
    // Copies of what the exit reads, taken before the method can change its parameters.
    if (advice.exitName != null && !isConstructor) {
      for (int i = 0; i < advice.exitArgs.length; i++) {
        int token = advice.exitArgs[i];
        exitCopies[i] = -1;
        if (token == MethodAdvice.THIS || token >= 0) {
          Type type = typeOf(token);
          pushEntryToken(token);
          int slot = newLocal(type);
          super.visitVarInsn(type.getOpcode(Opcodes.ISTORE), slot);
          addFrameLocal(type);
          exitCopies[i] = slot;
        }
      }
    }
    // Replacements that do not take the entry call's result come before it: a callback is linked
    // in the context the method was called in, before an entry call (a suppression) changes it.
    replaceParameters(false);
    if (advice.enterName != null) {
      enter();
    }
    replaceParameters(true);
    // The weaver's locals read only by its handlers come after those every frame lists.
    if (advice.exitName != null && advice.onThrowable) {
      thrownLocal = newLocal(Type.getObjectType(THROWABLE));
    }
    if (returnStarts.length > 0 && returnType.getSort() != Type.VOID) {
      returnLocal = newLocal(returnType);
    }
    if (advice.exitName != null && advice.onThrowable) {
      super.visitTryCatchBlock(start, end, handler, THROWABLE);
      super.visitLabel(start);
    }
  }

  /**
   * Replaces the parameters whose replacement does ({@code withEnter}) or does not take the entry
   * call's result.
   */
  private void replaceParameters(boolean withEnter) {
    for (int i = 0; i < parameters.length; i++) {
      MethodAdvice.Replacement r = advice.argReplacements.get(i);
      int sort = parameters[i].getSort();
      if (r == null || sort != Type.OBJECT && sort != Type.ARRAY) {
        r = advice.replacements.get(parameters[i].getDescriptor());
      }
      if (r != null && r.withEnter == withEnter) {
        replace(i, r);
      }
    }
  }

  /** The entry call, in its net: a failure leaves the default result or the original argument. */
  private void enter() {
    flushFrame(); // a replacement's resume point may come just before
    Object[] handlerLocals = entryLocals();
    Label callStart = new Label();
    Label callEnd = new Label();
    Label callHandler = new Label();
    Label resume = new Label();
    net(callStart, callEnd, callHandler);
    super.visitLabel(callStart);
    for (int token : advice.enterArgs) {
      pushEntryToken(token);
    }
    super.visitMethodInsn(
        Opcodes.INVOKESTATIC, advice.owner, advice.enterName, advice.enterDescriptor, false);
    Type result = Type.getReturnType(advice.enterDescriptor);
    Type defaultType = null;
    if (advice.enterReplaces >= 0) {
      Type parameter = parameters[advice.enterReplaces];
      super.visitTypeInsn(Opcodes.CHECKCAST, parameter.getInternalName());
      super.visitLabel(callEnd);
      super.visitVarInsn(Opcodes.ASTORE, parameterSlot(advice.enterReplaces));
    } else if (result.getSort() != Type.VOID) {
      super.visitLabel(callEnd);
      enterLocal = newLocal(result);
      super.visitVarInsn(result.getOpcode(Opcodes.ISTORE), enterLocal);
      addFrameLocal(result);
      defaultType = result;
    } else {
      super.visitLabel(callEnd);
    }
    resumeAt(resume, entryLocals(), new Object[0]);
    resumes.add(new Resume(callHandler, handlerLocals, resume, defaultType, enterLocal));
  }

  /** A parameter replaced on entry, in its net: a failure leaves the original argument. */
  private void replace(int index, MethodAdvice.Replacement r) {
    flushFrame();
    Object[] locals = entryLocals();
    Label callStart = new Label();
    Label callEnd = new Label();
    Label callHandler = new Label();
    Label resume = new Label();
    net(callStart, callEnd, callHandler);
    super.visitLabel(callStart);
    int slot = parameterSlot(index);
    super.visitVarInsn(Opcodes.ALOAD, slot);
    if (r.withEnter) {
      super.visitVarInsn(Opcodes.ALOAD, enterLocal);
    }
    if (r.kind >= 0) {
      pushInt(r.kind);
    }
    if (r.withType) {
      super.visitLdcInsn(parameters[index]);
    }
    super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.owner, r.name, r.descriptor, false);
    super.visitTypeInsn(Opcodes.CHECKCAST, parameters[index].getInternalName());
    super.visitLabel(callEnd);
    super.visitVarInsn(Opcodes.ASTORE, slot);
    resumeAt(resume, locals, new Object[0]);
    resumes.add(new Resume(callHandler, locals, resume, null, -1));
  }

  private void pushInt(int value) {
    if (value >= -1 && value <= 5) {
      super.visitInsn(Opcodes.ICONST_0 + value);
    } else if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
      super.visitIntInsn(Opcodes.BIPUSH, value);
    } else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
      super.visitIntInsn(Opcodes.SIPUSH, value);
    } else {
      super.visitLdcInsn(value);
    }
  }

  /** The exit call; on a normal return the return value is on the stack, still to be returned. */
  private void exit(boolean thrown) {
    int[] args = advice.exitArgs;
    for (int i = 0; i < args.length; i++) {
      int token = args[i];
      if (token == MethodAdvice.RETURN) {
        if (thrown) {
          pushDefault(returnType);
        } else {
          super.visitInsn(returnType.getSize() == 2 ? Opcodes.DUP2 : Opcodes.DUP);
        }
      } else if (token == MethodAdvice.THROWN) {
        if (thrown) {
          super.visitVarInsn(Opcodes.ALOAD, thrownLocal);
        } else {
          super.visitInsn(Opcodes.ACONST_NULL);
        }
      } else if (token == MethodAdvice.ENTER) {
        load(Type.getReturnType(advice.enterDescriptor), enterLocal);
      } else if (isConstructor) {
        pushEntryToken(token);
      } else {
        load(typeOf(token), exitCopies[i]);
      }
    }
    super.visitMethodInsn(
        Opcodes.INVOKESTATIC, advice.owner, advice.exitName, advice.exitDescriptor, false);
  }

  /** The exit code at a {@code return}, in its net (whose handler returns the same value). */
  private void exitOnReturn(int opcode) {
    if (returnsWoven == returnStarts.length) {
      throw new IllegalStateException("more returns than the first pass counted");
    }
    int i = returnsWoven++;
    if (returnLocal >= 0) {
      super.visitInsn(returnType.getSize() == 2 ? Opcodes.DUP2 : Opcodes.DUP);
      super.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), returnLocal);
    }
    super.visitLabel(returnStarts[i]);
    exit(false);
    super.visitLabel(returnEnds[i]);
  }

  private void pushDefault(Type type) {
    switch (type.getSort()) {
      case Type.VOID:
        throw new IllegalArgumentException("RETURN taken from a void method");
      case Type.LONG:
        super.visitInsn(Opcodes.LCONST_0);
        break;
      case Type.FLOAT:
        super.visitInsn(Opcodes.FCONST_0);
        break;
      case Type.DOUBLE:
        super.visitInsn(Opcodes.DCONST_0);
        break;
      case Type.OBJECT:
      case Type.ARRAY:
        super.visitInsn(Opcodes.ACONST_NULL);
        break;
      default:
        super.visitInsn(Opcodes.ICONST_0);
    }
  }

  // The method's own code: entry code goes before the first of it.

  /** Before each instruction of the method's own: the entry code, a frame still to write. */
  private void instruction() {
    begin();
    flushFrame();
  }

  @Override
  public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
    declareNets();
    if (tracker != null) {
      tracker.tryCatchBlock(start, handler);
    }
    super.visitTryCatchBlock(start, end, handler, type);
  }

  /** A catch parameter's type annotation names its handler by index: moved by the nets before. */
  @Override
  public AnnotationVisitor visitTryCatchAnnotation(
      int typeRef, TypePath typePath, String descriptor, boolean visible) {
    int shift = (returnStarts.length + writeStarts.length) << 8;
    return super.visitTryCatchAnnotation(typeRef + shift, typePath, descriptor, visible);
  }

  @Override
  public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
    begin();
    if (!frames) {
      return;
    }
    if (type != Opcodes.F_NEW) {
      throw new IllegalStateException("frames must be expanded");
    }
    // The method's own frame at the offset where a net ends replaces the net's (see above).
    pendingLocals = null;
    pendingStack = null;
    if (tracker != null) {
      tracker.frame(numLocal, local, numStack, stack);
    }
    if (addedLocals.isEmpty()) {
      super.visitFrame(type, numLocal, local, numStack, stack);
      return;
    }
    List<Object> locals = new ArrayList<>(numLocal + addedLocals.size() + 4);
    int slots = 0;
    for (int i = 0; i < numLocal; i++) {
      locals.add(local[i]);
      slots += local[i] == Opcodes.LONG || local[i] == Opcodes.DOUBLE ? 2 : 1;
    }
    while (slots < firstLocal) {
      locals.add(Opcodes.TOP);
      slots++;
    }
    locals.addAll(addedLocals);
    super.visitFrame(Opcodes.F_NEW, locals.size(), locals.toArray(), numStack, stack);
  }

  @Override
  public void visitLabel(Label label) {
    begin();
    if (tracker != null) {
      tracker.label(label);
    }
    super.visitLabel(label);
  }

  @Override
  public void visitInsn(int opcode) {
    instruction();
    if (exitsAt(advice, opcode)) {
      exitOnReturn(opcode);
    }
    if (tracker != null) {
      tracker.insn(opcode);
    }
    super.visitInsn(opcode);
  }

  @Override
  public void visitIntInsn(int opcode, int operand) {
    instruction();
    if (tracker != null) {
      tracker.intInsn(opcode, operand);
    }
    super.visitIntInsn(opcode, operand);
  }

  @Override
  public void visitVarInsn(int opcode, int var) {
    instruction();
    if (tracker != null) {
      tracker.varInsn(opcode, var);
    }
    super.visitVarInsn(opcode, var);
  }

  @Override
  public void visitTypeInsn(int opcode, String type) {
    instruction();
    if (tracker != null) {
      // Frames name an object under construction by the offset of its new: a label there.
      Label here = null;
      if (opcode == Opcodes.NEW) {
        here = new Label();
        super.visitLabel(here);
      }
      tracker.typeInsn(opcode, type, here);
    }
    super.visitTypeInsn(opcode, type);
  }

  @Override
  public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
    instruction();
    String call = fieldWriteCall(advice, isConstructor, opcode, owner, name, descriptor);
    if (tracker != null) {
      tracker.fieldInsn(opcode, descriptor);
    }
    if (call == null) {
      super.visitFieldInsn(opcode, owner, name, descriptor);
      return;
    }
    if (writesWoven == writeStarts.length) {
      throw new IllegalStateException("more field writes than the first pass counted");
    }
    int i = writesWoven++;
    // object, value -> object, value, object, value -> (write) object, value -> object -> call
    super.visitInsn(Opcodes.DUP2);
    super.visitFieldInsn(opcode, owner, name, descriptor);
    super.visitInsn(Opcodes.POP);
    if (!tracker.reachable()) {
      throw new IllegalStateException("a field write where the stack is not known");
    }
    // A throw empties the operand stack: what the method has below the object is kept in the
    // weaver's locals (above every other), for the handler's path as for the straight one.
    Object[] below = tracker.frameStack().toArray();
    int objectSlot = -1;
    List<Object> locals = tracker.frameLocals(firstLocal);
    locals.addAll(addedLocals);
    if (below.length > 0) {
      if (spillBase < 0) {
        spillBase = nextLocal;
      }
      padLocals(locals, spillBase);
      int slot = spillBase;
      int[] slots = new int[below.length];
      for (int k = 0; k < below.length; k++) {
        slots[k] = slot;
        slot += below[k] == Opcodes.LONG || below[k] == Opcodes.DOUBLE ? 2 : 1;
        locals.add(below[k]);
      }
      objectSlot = slot;
      nextLocal = Math.max(nextLocal, objectSlot + 1);
      super.visitVarInsn(Opcodes.ASTORE, objectSlot);
      for (int k = below.length - 1; k >= 0; k--) {
        super.visitVarInsn(spillOpcode(below[k], Opcodes.ISTORE), slots[k]);
      }
      super.visitLabel(writeStarts[i]);
      super.visitVarInsn(Opcodes.ALOAD, objectSlot);
      callAfterWrite(i, call, locals.toArray());
      flushFrame();
      for (int k = 0; k < below.length; k++) {
        super.visitVarInsn(spillOpcode(below[k], Opcodes.ILOAD), slots[k]);
      }
    } else {
      super.visitLabel(writeStarts[i]);
      callAfterWrite(i, call, locals.toArray());
    }
  }

  /**
   * The call after a field write, in its net, the object on the stack. The handler comes right
   * after it, not after the method's code: going back from there would be a backward jump, which
   * the JVM refuses while an object under construction is in the frame ({@code new X(f = v)}).
   */
  private void callAfterWrite(int i, String call, Object[] locals) {
    super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.owner, call, "(Ljava/lang/Object;)V", false);
    super.visitLabel(writeEnds[i]);
    Label resume = new Label();
    super.visitJumpInsn(Opcodes.GOTO, resume);
    super.visitLabel(writeHandlers[i]);
    handlerFrame(locals);
    super.visitInsn(Opcodes.POP);
    resumeAt(resume, locals, new Object[0]);
  }

  /** The load or store ({@code base}: ILOAD or ISTORE) of a value of verification type type. */
  private static int spillOpcode(Object type, int base) {
    int offset;
    if (type == Opcodes.INTEGER) {
      offset = 0;
    } else if (type == Opcodes.LONG) {
      offset = 1;
    } else if (type == Opcodes.FLOAT) {
      offset = 2;
    } else if (type == Opcodes.DOUBLE) {
      offset = 3;
    } else {
      offset = 4;
    }
    return base + offset;
  }

  /** {@code TOP} added to frame locals until they reach {@code slot}. */
  private static void padLocals(List<Object> locals, int slot) {
    int slots = 0;
    for (Object local : locals) {
      slots += local == Opcodes.LONG || local == Opcodes.DOUBLE ? 2 : 1;
    }
    while (slots < slot) {
      locals.add(Opcodes.TOP);
      slots++;
    }
  }

  @Override
  public void visitMethodInsn(
      int opcode, String owner, String name, String descriptor, boolean isInterface) {
    instruction();
    if (tracker != null) {
      tracker.methodInsn(opcode, name, descriptor);
    }
    String[] to = advice.substitutions.get(owner + "." + name + descriptor);
    if (to != null && opcode != Opcodes.INVOKESTATIC && opcode != Opcodes.INVOKESPECIAL) {
      // No net: the call replaced would throw what the substitute lets through.
      if (to.length > 3) {
        Type[] params = Type.getArgumentTypes(to[2]);
        Type last = params[params.length - 1];
        if (enterLocal >= 0 && Type.getReturnType(advice.enterDescriptor).equals(last)) {
          load(last, enterLocal);
        } else {
          pushDefault(last); // merged from advice with another entry: as if the entry had failed
        }
      }
      super.visitMethodInsn(Opcodes.INVOKESTATIC, to[0], to[1], to[2], false);
    } else {
      super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
    }
  }

  @Override
  public void visitInvokeDynamicInsn(
      String name, String descriptor, Handle bootstrap, Object... arguments) {
    instruction();
    if (tracker != null) {
      tracker.invokeDynamicInsn(descriptor);
    }
    super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
  }

  @Override
  public void visitJumpInsn(int opcode, Label label) {
    instruction();
    if (tracker != null) {
      tracker.jumpInsn(opcode, label);
    }
    super.visitJumpInsn(opcode, label);
  }

  @Override
  public void visitLdcInsn(Object value) {
    instruction();
    if (tracker != null) {
      tracker.ldcInsn(value);
    }
    super.visitLdcInsn(value);
  }

  @Override
  public void visitIincInsn(int var, int increment) {
    instruction();
    if (tracker != null) {
      tracker.iincInsn();
    }
    super.visitIincInsn(var, increment);
  }

  @Override
  public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
    instruction();
    if (tracker != null) {
      tracker.switchInsn(dflt, labels);
    }
    super.visitTableSwitchInsn(min, max, dflt, labels);
  }

  @Override
  public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
    instruction();
    if (tracker != null) {
      tracker.switchInsn(dflt, labels);
    }
    super.visitLookupSwitchInsn(dflt, keys, labels);
  }

  @Override
  public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
    instruction();
    if (tracker != null) {
      tracker.multiANewArrayInsn(descriptor, numDimensions);
    }
    super.visitMultiANewArrayInsn(descriptor, numDimensions);
  }

  @Override
  public void visitLineNumber(int line, Label label) {
    begin();
    super.visitLineNumber(line, label);
  }

  /** A handler's frame: the given locals, and the throwable caught on the stack. */
  private void handlerFrame(Object[] locals) {
    if (frames) {
      super.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, THROWN_STACK);
    }
  }

  @Override
  public void visitMaxs(int maxStack, int maxLocals) {
    begin();
    flushFrame();
    if (returnsWoven != returnStarts.length || writesWoven != writeStarts.length) {
      throw new IllegalStateException("the first pass counted other returns or field writes");
    }
    if (advice.exitName != null && advice.onThrowable) {
      super.visitLabel(end);
      super.visitLabel(handler);
      handlerFrame(addedOnlyLocals().toArray());
      super.visitVarInsn(Opcodes.ASTORE, thrownLocal);
      // The exit call's own net rethrows the method's throwable, not the advice's.
      Label callStart = new Label();
      Label callEnd = new Label();
      Label callHandler = new Label();
      net(callStart, callEnd, callHandler);
      super.visitLabel(callStart);
      exit(true);
      super.visitLabel(callEnd);
      super.visitVarInsn(Opcodes.ALOAD, thrownLocal);
      super.visitInsn(Opcodes.ATHROW);
      super.visitLabel(callHandler);
      List<Object> locals = addedOnlyLocals();
      locals.add(THROWABLE);
      handlerFrame(locals.toArray());
      super.visitInsn(Opcodes.POP);
      super.visitVarInsn(Opcodes.ALOAD, thrownLocal);
      super.visitInsn(Opcodes.ATHROW);
    }
    if (returnStarts.length > 0) {
      // Shared by every return: it returns the copy taken before the exit call.
      super.visitLabel(returnHandler);
      List<Object> locals = addedOnlyLocals();
      if (returnLocal >= 0) {
        if (thrownLocal >= 0) {
          locals.add(Opcodes.TOP);
        }
        locals.add(FrameTracker.verificationType(returnType));
      }
      handlerFrame(locals.toArray());
      super.visitInsn(Opcodes.POP);
      if (returnLocal >= 0) {
        load(returnType, returnLocal);
      }
      super.visitInsn(returnType.getOpcode(Opcodes.IRETURN));
    }
    for (Resume r : resumes) {
      super.visitLabel(r.handler);
      handlerFrame(r.locals);
      super.visitInsn(Opcodes.POP);
      if (r.defaultType != null) {
        pushDefault(r.defaultType);
        super.visitVarInsn(r.defaultType.getOpcode(Opcodes.ISTORE), r.defaultSlot);
      }
      super.visitJumpInsn(Opcodes.GOTO, r.resume);
    }
    super.visitMaxs(maxStack + 8, Math.max(maxLocals, nextLocal));
  }
}
