package io.tether.agent;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Weaves one {@link MethodAdvice} into one method as ASM visits it (frames expanded). The entry
 * code goes before the method's first instruction, after its own exception handlers are declared,
 * so that the handler added for an exit on throw comes last and catches only what the method
 * itself lets escape. Values the exit needs are copied to new locals above the method's own
 * ({@code maxLocals}, found by a first pass), and every stack map frame of the method is extended
 * with them, so no frame has to be computed (which would load classes from inside a transformer).
 * Constructors get exit code on {@code return} only, reading {@code this} directly.
 */
final class AdviceWeaver extends MethodVisitor {

  private static final String OBJECT = "java/lang/Object";

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
  private boolean begun;
  private final Label start = new Label();
  private final Label end = new Label();
  private final Label handler = new Label();

  AdviceWeaver(MethodVisitor next, int access, String name, String descriptor,
      MethodAdvice advice, int maxLocals, boolean frames) {
    super(Weaver.ASM_API, next);
    this.advice = advice;
    this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
    this.isConstructor = name.equals("<init>");
    this.frames = frames;
    this.parameters = Type.getArgumentTypes(descriptor);
    this.returnType = Type.getReturnType(descriptor);
    this.firstLocal = maxLocals;
    this.nextLocal = maxLocals;
    this.exitCopies = new int[advice.exitArgs.length];
    if (isConstructor && (advice.onThrowable || advice.enterName != null
        || !advice.replacements.isEmpty())) {
      throw new IllegalArgumentException("constructors take exit-on-return advice only");
    }
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
    switch (type.getSort()) {
      case Type.BOOLEAN:
      case Type.BYTE:
      case Type.CHAR:
      case Type.SHORT:
      case Type.INT:
        addedLocals.add(Opcodes.INTEGER);
        break;
      case Type.LONG:
        addedLocals.add(Opcodes.LONG);
        break;
      case Type.FLOAT:
        addedLocals.add(Opcodes.FLOAT);
        break;
      case Type.DOUBLE:
        addedLocals.add(Opcodes.DOUBLE);
        break;
      default:
        addedLocals.add(OBJECT);
    }
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

  private void begin() {
    if (begun) {
      return;
    }
    begun = true;
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
    if (advice.enterName != null) {
      for (int token : advice.enterArgs) {
        pushEntryToken(token);
      }
      super.visitMethodInsn(Opcodes.INVOKESTATIC, MethodAdvice.ADVICE, advice.enterName,
          advice.enterDescriptor, false);
      Type result = Type.getReturnType(advice.enterDescriptor);
      if (advice.enterReplaces >= 0) {
        Type parameter = parameters[advice.enterReplaces];
        super.visitTypeInsn(Opcodes.CHECKCAST, parameter.getInternalName());
        super.visitVarInsn(Opcodes.ASTORE, parameterSlot(advice.enterReplaces));
      } else if (result.getSort() != Type.VOID) {
        enterLocal = newLocal(result);
        super.visitVarInsn(result.getOpcode(Opcodes.ISTORE), enterLocal);
        addFrameLocal(result);
      }
    }
    for (int i = 0; i < parameters.length; i++) {
      MethodAdvice.Replacement r = advice.replacements.get(parameters[i].getDescriptor());
      if (r == null) {
        continue;
      }
      int slot = parameterSlot(i);
      super.visitVarInsn(Opcodes.ALOAD, slot);
      if (r.withEnter) {
        super.visitVarInsn(Opcodes.ALOAD, enterLocal);
      }
      if (r.kind >= 0) {
        pushInt(r.kind);
      }
      super.visitMethodInsn(Opcodes.INVOKESTATIC, MethodAdvice.ADVICE, r.name, r.descriptor,
          false);
      super.visitTypeInsn(Opcodes.CHECKCAST, parameters[i].getInternalName());
      super.visitVarInsn(Opcodes.ASTORE, slot);
    }
    if (advice.exitName != null && advice.onThrowable) {
      super.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
      super.visitLabel(start);
    }
  }

  private void pushInt(int value) {
    if (value >= -1 && value <= 5) {
      super.visitInsn(Opcodes.ICONST_0 + value);
    } else {
      super.visitIntInsn(Opcodes.BIPUSH, value);
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
    super.visitMethodInsn(Opcodes.INVOKESTATIC, MethodAdvice.ADVICE, advice.exitName,
        advice.exitDescriptor, false);
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

  @Override
  public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
    begin();
    if (!frames) {
      return;
    }
    if (type != Opcodes.F_NEW || addedLocals.isEmpty()) {
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
    super.visitLabel(label);
  }

  @Override
  public void visitInsn(int opcode) {
    begin();
    if (advice.exitName != null && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
      exit(false);
    }
    super.visitInsn(opcode);
  }

  @Override
  public void visitIntInsn(int opcode, int operand) {
    begin();
    super.visitIntInsn(opcode, operand);
  }

  @Override
  public void visitVarInsn(int opcode, int var) {
    begin();
    super.visitVarInsn(opcode, var);
  }

  @Override
  public void visitTypeInsn(int opcode, String type) {
    begin();
    super.visitTypeInsn(opcode, type);
  }

  @Override
  public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
    begin();
    String call = opcode == Opcodes.PUTFIELD && !isConstructor
        ? advice.fieldWrites.get(owner + "." + name) : null;
    if (call == null || descriptor.length() == 1) {
      super.visitFieldInsn(opcode, owner, name, descriptor);
      return;
    }
    // object, value -> object, value, object, value -> (write) object, value -> object -> call
    super.visitInsn(Opcodes.DUP2);
    super.visitFieldInsn(opcode, owner, name, descriptor);
    super.visitInsn(Opcodes.POP);
    super.visitMethodInsn(Opcodes.INVOKESTATIC, MethodAdvice.ADVICE, call,
        "(Ljava/lang/Object;)V", false);
  }

  @Override
  public void visitMethodInsn(int opcode, String owner, String name, String descriptor,
      boolean isInterface) {
    begin();
    String[] to = advice.substitutions.get(owner + "." + name + descriptor);
    if (to != null && opcode != Opcodes.INVOKESTATIC && opcode != Opcodes.INVOKESPECIAL) {
      super.visitMethodInsn(Opcodes.INVOKESTATIC, to[0], to[1], to[2], false);
    } else {
      super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
    }
  }

  @Override
  public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap,
      Object... arguments) {
    begin();
    super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
  }

  @Override
  public void visitJumpInsn(int opcode, Label label) {
    begin();
    super.visitJumpInsn(opcode, label);
  }

  @Override
  public void visitLdcInsn(Object value) {
    begin();
    super.visitLdcInsn(value);
  }

  @Override
  public void visitIincInsn(int var, int increment) {
    begin();
    super.visitIincInsn(var, increment);
  }

  @Override
  public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
    begin();
    super.visitTableSwitchInsn(min, max, dflt, labels);
  }

  @Override
  public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
    begin();
    super.visitLookupSwitchInsn(dflt, keys, labels);
  }

  @Override
  public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
    begin();
    super.visitMultiANewArrayInsn(descriptor, numDimensions);
  }

  @Override
  public void visitLineNumber(int line, Label label) {
    begin();
    super.visitLineNumber(line, label);
  }

  @Override
  public void visitMaxs(int maxStack, int maxLocals) {
    begin();
    if (advice.exitName != null && advice.onThrowable) {
      super.visitLabel(end);
      super.visitLabel(handler);
      if (frames) {
        List<Object> locals = new ArrayList<>(firstLocal + addedLocals.size());
        for (int i = 0; i < firstLocal; i++) {
          locals.add(Opcodes.TOP);
        }
        locals.addAll(addedLocals);
        super.visitFrame(Opcodes.F_NEW, locals.size(), locals.toArray(), 1,
            new Object[] {"java/lang/Throwable"});
      }
      thrownLocal = newLocal(Type.getObjectType("java/lang/Throwable"));
      super.visitVarInsn(Opcodes.ASTORE, thrownLocal);
      exit(true);
      super.visitVarInsn(Opcodes.ALOAD, thrownLocal);
      super.visitInsn(Opcodes.ATHROW);
    }
    super.visitMaxs(maxStack + 8, Math.max(maxLocals, nextLocal));
  }
}
