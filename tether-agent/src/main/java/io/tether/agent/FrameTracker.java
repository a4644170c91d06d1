package io.tether.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The stack map frame (verification types of the locals and the operand stack) at the current
 * instruction of a method as ASM visits it with expanded frames, in the spirit of asm-commons'
 * {@code AnalyzerAdapter} but without loading any class: it restarts from each frame the class file
 * declares and, between frames, follows the instructions, whose effect on the types is fully given
 * by their operands and descriptors (a reference's type is never merged here: merging happens only
 * where the class file declares a frame). {@link AdviceWeaver} needs it where code it adds in the
 * middle of a method must go on after a handler with the method's own locals and stack: after a
 * field write.
 *
 * <p>A method may have no frames even in a class file that should: HotSpot keeps no stack map of a
 * class it does not verify (the JDK's own), so a JDK class retransformed after it was loaded (the
 * agent installed at run time, or another agent's premain loaded it first) comes back without any.
 * Where no frame is declared, the state at a label is the one carried along the jumps to it (or the
 * fall-through), and a handler starts with the throwable alone on the stack. That gives the kind of
 * every value on the stack (what the weaver must know to move it to a local and back) at any label
 * reached first by a jump forward or the fall-through, as all of {@code javac}'s are; reference
 * types are then less precise, which matters to no one as such a method gets no frames.
 *
 * <p>Values are held one entry per slot, as the JVM counts them: a {@code long} or {@code double}
 * is {@link Opcodes#LONG} or {@link Opcodes#DOUBLE} followed by {@link Opcodes#TOP}. An object not
 * yet initialised is the {@link Label} of its {@code new} instruction (as in ASM's frames), or
 * {@link Opcodes#UNINITIALIZED_THIS}. After an unconditional jump, a return or a throw, nothing is
 * known until the next declared frame or label with a known state. Instructions no verifier accepts
 * with stack map frames ({@code jsr}, {@code ret}) are refused: the class is then left as it is.
 */
final class FrameTracker {

  private static final String OBJECT = "java/lang/Object";

  private final String owner;
  private List<Object> locals = new ArrayList<>();
  private List<Object> stack = new ArrayList<>();
  private boolean reachable;

  /** Labels visited since the last instruction: those of a {@code new} name its result. */
  private final List<Label> labelsHere = new ArrayList<>(2);

  /** The class of each {@code new} instruction, by its label. */
  private final Map<Object, String> uninitializedTypes = new HashMap<>();

  /** The state each jump seen so far carries to its target. */
  private final Map<Label, State> jumpStates = new HashMap<>();

  /** The handlers of the method's exception table, with the locals at the start of their range. */
  private final Map<Label, List<Object>> handlerLocals = new HashMap<>();

  private final Map<Label, List<Label>> handlersByStart = new HashMap<>();

  /** The frame at the entry of a method of {@code owner}. */
  FrameTracker(String owner, int access, String name, String descriptor) {
    this.owner = owner;
    if ((access & Opcodes.ACC_STATIC) == 0) {
      locals.add(name.equals("<init>") ? Opcodes.UNINITIALIZED_THIS : owner);
    }
    for (Type parameter : Type.getArgumentTypes(descriptor)) {
      push(locals, verificationType(parameter));
    }
    reachable = true;
  }

  /** The verification type of a value of {@code type}, as in a frame. */
  static Object verificationType(Type type) {
    switch (type.getSort()) {
      case Type.BOOLEAN:
      case Type.BYTE:
      case Type.CHAR:
      case Type.SHORT:
      case Type.INT:
        return Opcodes.INTEGER;
      case Type.LONG:
        return Opcodes.LONG;
      case Type.FLOAT:
        return Opcodes.FLOAT;
      case Type.DOUBLE:
        return Opcodes.DOUBLE;
      default:
        return type.getInternalName();
    }
  }

  private static boolean isWide(Object type) {
    return type == Opcodes.LONG || type == Opcodes.DOUBLE;
  }

  private static void push(List<Object> values, Object type) {
    values.add(type);
    if (isWide(type)) {
      values.add(Opcodes.TOP);
    }
  }

  /** Whether the current instruction can be reached (its frame is known). */
  boolean reachable() {
    return reachable;
  }

  /** The locals as a frame lists them (one entry per value), {@code TOP}-padded to {@code size}. */
  List<Object> frameLocals(int size) {
    List<Object> out = compact(locals);
    int slots = locals.size();
    while (slots < size) {
      out.add(Opcodes.TOP);
      slots++;
    }
    return out;
  }

  /** The operand stack as a frame lists it, bottom first. */
  List<Object> frameStack() {
    return compact(stack);
  }

  private static List<Object> compact(List<Object> slots) {
    List<Object> out = new ArrayList<>(slots.size());
    for (int i = 0; i < slots.size(); i++) {
      Object type = slots.get(i);
      out.add(type);
      if (isWide(type)) {
        i++;
      }
    }
    return out;
  }

  /** A frame the class file declares at the current position (expanded, {@code F_NEW}). */
  void frame(int numLocal, Object[] local, int numStack, Object[] stackTypes) {
    locals = new ArrayList<>(numLocal + 4);
    for (int i = 0; i < numLocal; i++) {
      push(locals, local[i]);
    }
    stack = new ArrayList<>(numStack + 4);
    for (int i = 0; i < numStack; i++) {
      push(stack, stackTypes[i]);
    }
    reachable = true;
  }

  /** An entry of the method's exception table (before its code). */
  void tryCatchBlock(Label start, Label handler) {
    handlerLocals.put(handler, new ArrayList<>());
    List<Label> handlers = handlersByStart.get(start);
    if (handlers == null) {
      handlers = new ArrayList<>(2);
      handlersByStart.put(start, handlers);
    }
    handlers.add(handler);
  }

  /**
   * A label: one visited just before a {@code new} names the object that it creates; where nothing
   * is known, a jump to it or its being a handler tells the state.
   */
  void label(Label label) {
    labelsHere.add(label);
    if (reachable) {
      List<Label> handlers = handlersByStart.get(label);
      if (handlers != null) {
        for (Label handler : handlers) {
          handlerLocals.put(handler, new ArrayList<>(locals));
        }
      }
      return;
    }
    State carried = jumpStates.get(label);
    if (carried != null) {
      locals = new ArrayList<>(carried.locals);
      stack = new ArrayList<>(carried.stack);
      reachable = true;
    } else if (handlerLocals.containsKey(label)) {
      locals = new ArrayList<>(handlerLocals.get(label));
      stack = new ArrayList<>(2);
      stack.add("java/lang/Throwable");
      reachable = true;
    }
  }

  /** The current state, carried to {@code target} unless a jump already carried one. */
  private void carryTo(Label target) {
    if (!jumpStates.containsKey(target)) {
      jumpStates.put(target, new State(new ArrayList<>(locals), new ArrayList<>(stack)));
    }
  }

  /** The locals and the stack at one point. */
  private static final class State {
    final List<Object> locals;
    final List<Object> stack;

    State(List<Object> locals, List<Object> stack) {
      this.locals = locals;
      this.stack = stack;
    }
  }

  private Object pop() {
    return stack.remove(stack.size() - 1);
  }

  private void pop(int slots) {
    for (int i = 0; i < slots; i++) {
      pop();
    }
  }

  private void pop(String descriptor) {
    pop(Type.getType(descriptor).getSize());
  }

  private void pushDescriptor(String descriptor) {
    Type type = Type.getType(descriptor);
    if (type.getSort() != Type.VOID) {
      push(stack, verificationType(type));
    }
  }

  private void setLocal(int slot, Object type) {
    while (locals.size() <= slot + (isWide(type) ? 1 : 0)) {
      locals.add(Opcodes.TOP);
    }
    // Writing the second half of a long or a double leaves that value unusable.
    if (slot > 0 && isWide(locals.get(slot - 1))) {
      locals.set(slot - 1, Opcodes.TOP);
    }
    locals.set(slot, type);
    if (isWide(type)) {
      locals.set(slot + 1, Opcodes.TOP);
    }
  }

  private void end() {
    reachable = false;
    labelsHere.clear();
  }

  /**
   * Applies one instruction given with no operand: zero-operand loads, arithmetic, conversions,
   * comparisons, array access, stack manipulation, returns and throws, monitors.
   */
  void insn(int opcode) {
    labelsHere.clear();
    if (!reachable) {
      return;
    }
    switch (opcode) {
      case Opcodes.NOP:
        break;
      case Opcodes.ACONST_NULL:
        stack.add(Opcodes.NULL);
        break;
      case Opcodes.ICONST_M1:
      case Opcodes.ICONST_0:
      case Opcodes.ICONST_1:
      case Opcodes.ICONST_2:
      case Opcodes.ICONST_3:
      case Opcodes.ICONST_4:
      case Opcodes.ICONST_5:
        stack.add(Opcodes.INTEGER);
        break;
      case Opcodes.LCONST_0:
      case Opcodes.LCONST_1:
        push(stack, Opcodes.LONG);
        break;
      case Opcodes.FCONST_0:
      case Opcodes.FCONST_1:
      case Opcodes.FCONST_2:
        stack.add(Opcodes.FLOAT);
        break;
      case Opcodes.DCONST_0:
      case Opcodes.DCONST_1:
        push(stack, Opcodes.DOUBLE);
        break;
      case Opcodes.IALOAD:
      case Opcodes.BALOAD:
      case Opcodes.CALOAD:
      case Opcodes.SALOAD:
        pop(2);
        stack.add(Opcodes.INTEGER);
        break;
      case Opcodes.LALOAD:
        pop(2);
        push(stack, Opcodes.LONG);
        break;
      case Opcodes.FALOAD:
        pop(2);
        stack.add(Opcodes.FLOAT);
        break;
      case Opcodes.DALOAD:
        pop(2);
        push(stack, Opcodes.DOUBLE);
        break;
      case Opcodes.AALOAD:
        pop();
        stack.add(elementType(pop()));
        break;
      case Opcodes.IASTORE:
      case Opcodes.BASTORE:
      case Opcodes.CASTORE:
      case Opcodes.SASTORE:
      case Opcodes.FASTORE:
      case Opcodes.AASTORE:
        pop(3);
        break;
      case Opcodes.LASTORE:
      case Opcodes.DASTORE:
        pop(4);
        break;
      case Opcodes.POP:
        pop(1);
        break;
      case Opcodes.POP2:
        pop(2);
        break;
      case Opcodes.DUP:
        stack.add(stack.get(stack.size() - 1));
        break;
      case Opcodes.DUP_X1:
        insertBelow(1, 1);
        break;
      case Opcodes.DUP_X2:
        insertBelow(1, 2);
        break;
      case Opcodes.DUP2:
        insertBelow(2, 0);
        break;
      case Opcodes.DUP2_X1:
        insertBelow(2, 1);
        break;
      case Opcodes.DUP2_X2:
        insertBelow(2, 2);
        break;
      case Opcodes.SWAP:
        {
          Object top = pop();
          Object below = pop();
          stack.add(top);
          stack.add(below);
          break;
        }
      case Opcodes.IADD:
      case Opcodes.ISUB:
      case Opcodes.IMUL:
      case Opcodes.IDIV:
      case Opcodes.IREM:
      case Opcodes.ISHL:
      case Opcodes.ISHR:
      case Opcodes.IUSHR:
      case Opcodes.IAND:
      case Opcodes.IOR:
      case Opcodes.IXOR:
      case Opcodes.FCMPL:
      case Opcodes.FCMPG:
        pop(2);
        stack.add(Opcodes.INTEGER);
        break;
      case Opcodes.LADD:
      case Opcodes.LSUB:
      case Opcodes.LMUL:
      case Opcodes.LDIV:
      case Opcodes.LREM:
      case Opcodes.LAND:
      case Opcodes.LOR:
      case Opcodes.LXOR:
        pop(4);
        push(stack, Opcodes.LONG);
        break;
      case Opcodes.LSHL:
      case Opcodes.LSHR:
      case Opcodes.LUSHR:
        pop(3);
        push(stack, Opcodes.LONG);
        break;
      case Opcodes.FADD:
      case Opcodes.FSUB:
      case Opcodes.FMUL:
      case Opcodes.FDIV:
      case Opcodes.FREM:
        pop(2);
        stack.add(Opcodes.FLOAT);
        break;
      case Opcodes.DADD:
      case Opcodes.DSUB:
      case Opcodes.DMUL:
      case Opcodes.DDIV:
      case Opcodes.DREM:
        pop(4);
        push(stack, Opcodes.DOUBLE);
        break;
      case Opcodes.LCMP:
      case Opcodes.DCMPL:
      case Opcodes.DCMPG:
        pop(4);
        stack.add(Opcodes.INTEGER);
        break;
      case Opcodes.INEG:
      case Opcodes.FNEG:
      case Opcodes.LNEG:
      case Opcodes.DNEG:
      case Opcodes.I2B:
      case Opcodes.I2C:
      case Opcodes.I2S:
        break;
      case Opcodes.I2L:
      case Opcodes.F2L:
        pop(1);
        push(stack, Opcodes.LONG);
        break;
      case Opcodes.I2F:
        pop(1);
        stack.add(Opcodes.FLOAT);
        break;
      case Opcodes.I2D:
      case Opcodes.F2D:
        pop(1);
        push(stack, Opcodes.DOUBLE);
        break;
      case Opcodes.L2I:
      case Opcodes.D2I:
        pop(2);
        stack.add(Opcodes.INTEGER);
        break;
      case Opcodes.L2F:
      case Opcodes.D2F:
        pop(2);
        stack.add(Opcodes.FLOAT);
        break;
      case Opcodes.L2D:
        pop(2);
        push(stack, Opcodes.DOUBLE);
        break;
      case Opcodes.D2L:
        pop(2);
        push(stack, Opcodes.LONG);
        break;
      case Opcodes.F2I:
        pop(1);
        stack.add(Opcodes.INTEGER);
        break;
      case Opcodes.ARRAYLENGTH:
        pop(1);
        stack.add(Opcodes.INTEGER);
        break;
      case Opcodes.MONITORENTER:
      case Opcodes.MONITOREXIT:
        pop(1);
        break;
      case Opcodes.IRETURN:
      case Opcodes.LRETURN:
      case Opcodes.FRETURN:
      case Opcodes.DRETURN:
      case Opcodes.ARETURN:
      case Opcodes.RETURN:
      case Opcodes.ATHROW:
        end();
        break;
      default:
        throw new IllegalArgumentException("unknown instruction " + opcode);
    }
  }

  /**
   * The top {@code count} slots copied below the {@code depth} slots under them (the {@code dup}
   * family, counted in slots as the JVM defines them).
   */
  private void insertBelow(int count, int depth) {
    int size = stack.size();
    List<Object> copied = new ArrayList<>(stack.subList(size - count, size));
    stack.addAll(size - count - depth, copied);
  }

  /**
   * The element type of an array of verification type {@code array} ({@code aaload}); an object if
   * the array's type is not known (only where no frame is declared).
   */
  private static Object elementType(Object array) {
    if (array == Opcodes.NULL) {
      return Opcodes.NULL;
    }
    if (array instanceof String && ((String) array).startsWith("[")) {
      return verificationType(Type.getType(((String) array).substring(1)));
    }
    return OBJECT;
  }

  /** {@code bipush}, {@code sipush}, {@code newarray}. */
  void intInsn(int opcode, int operand) {
    labelsHere.clear();
    if (!reachable) {
      return;
    }
    if (opcode == Opcodes.NEWARRAY) {
      pop(1);
      stack.add(PRIMITIVE_ARRAYS[operand - Opcodes.T_BOOLEAN]);
    } else {
      stack.add(Opcodes.INTEGER);
    }
  }

  private static final String[] PRIMITIVE_ARRAYS = {"[Z", "[C", "[F", "[D", "[B", "[S", "[I", "[J"};

  /** Loads and stores of locals. */
  void varInsn(int opcode, int slot) {
    labelsHere.clear();
    if (!reachable) {
      return;
    }
    switch (opcode) {
      case Opcodes.ILOAD:
        stack.add(Opcodes.INTEGER);
        break;
      case Opcodes.LLOAD:
        push(stack, Opcodes.LONG);
        break;
      case Opcodes.FLOAD:
        stack.add(Opcodes.FLOAT);
        break;
      case Opcodes.DLOAD:
        push(stack, Opcodes.DOUBLE);
        break;
      case Opcodes.ALOAD:
        stack.add(
            slot < locals.size() && locals.get(slot) != Opcodes.TOP ? locals.get(slot) : OBJECT);
        break;
      case Opcodes.ISTORE:
      case Opcodes.FSTORE:
      case Opcodes.ASTORE:
        setLocal(slot, pop());
        break;
      case Opcodes.LSTORE:
      case Opcodes.DSTORE:
        pop(1);
        setLocal(slot, pop());
        break;
      default:
        throw new IllegalArgumentException("ret has no stack map frames");
    }
  }

  /** {@code new}, {@code anewarray}, {@code checkcast}, {@code instanceof}. */
  void typeInsn(int opcode, String type, Label here) {
    if (!reachable) {
      labelsHere.clear();
      return;
    }
    switch (opcode) {
      case Opcodes.NEW:
        // Frames name an object under construction by the label of its new instruction: the
        // class file's own labels there (from its frames) and the one the weaver added.
        for (Label label : labelsHere) {
          uninitializedTypes.put(label, type);
        }
        uninitializedTypes.put(here, type);
        stack.add(here);
        break;
      case Opcodes.ANEWARRAY:
        pop(1);
        stack.add(type.startsWith("[") ? "[" + type : "[L" + type + ";");
        break;
      case Opcodes.CHECKCAST:
        pop(1);
        stack.add(type);
        break;
      default:
        pop(1);
        stack.add(Opcodes.INTEGER);
    }
    labelsHere.clear();
  }

  /** Field reads and writes. */
  void fieldInsn(int opcode, String descriptor) {
    labelsHere.clear();
    if (!reachable) {
      return;
    }
    switch (opcode) {
      case Opcodes.GETSTATIC:
        pushDescriptor(descriptor);
        break;
      case Opcodes.PUTSTATIC:
        pop(descriptor);
        break;
      case Opcodes.GETFIELD:
        pop(1);
        pushDescriptor(descriptor);
        break;
      default:
        pop(descriptor);
        pop(1);
    }
  }

  /** A method call; a constructor call initialises every copy of its object. */
  void methodInsn(int opcode, String name, String descriptor) {
    labelsHere.clear();
    if (!reachable) {
      return;
    }
    for (Type argument : Type.getArgumentTypes(descriptor)) {
      pop(argument.getSize());
    }
    if (opcode != Opcodes.INVOKESTATIC) {
      Object receiver = pop();
      if (opcode == Opcodes.INVOKESPECIAL && name.equals("<init>")) {
        Object initialized =
            receiver == Opcodes.UNINITIALIZED_THIS ? owner : uninitializedTypes.get(receiver);
        if (initialized != null) {
          replaceAll(locals, receiver, initialized);
          replaceAll(stack, receiver, initialized);
        }
      }
    }
    pushDescriptor(Type.getReturnType(descriptor).getDescriptor());
  }

  private static void replaceAll(List<Object> values, Object from, Object to) {
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i) == from) {
        values.set(i, to);
      }
    }
  }

  /** {@code invokedynamic}. */
  void invokeDynamicInsn(String descriptor) {
    labelsHere.clear();
    if (!reachable) {
      return;
    }
    for (Type argument : Type.getArgumentTypes(descriptor)) {
      pop(argument.getSize());
    }
    pushDescriptor(Type.getReturnType(descriptor).getDescriptor());
  }

  /** Branches: conditional ones pop their operands, {@code goto} ends what is known. */
  void jumpInsn(int opcode, Label target) {
    labelsHere.clear();
    if (!reachable) {
      return;
    }
    switch (opcode) {
      case Opcodes.GOTO:
        carryTo(target);
        end();
        return;
      case Opcodes.IF_ICMPEQ:
      case Opcodes.IF_ICMPNE:
      case Opcodes.IF_ICMPLT:
      case Opcodes.IF_ICMPGE:
      case Opcodes.IF_ICMPGT:
      case Opcodes.IF_ICMPLE:
      case Opcodes.IF_ACMPEQ:
      case Opcodes.IF_ACMPNE:
        pop(2);
        break;
      case Opcodes.JSR:
        throw new IllegalArgumentException("jsr has no stack map frames");
      default:
        pop(1);
    }
    carryTo(target);
  }

  /** {@code ldc} of any constant. */
  void ldcInsn(Object value) {
    labelsHere.clear();
    if (!reachable) {
      return;
    }
    if (value instanceof Integer) {
      stack.add(Opcodes.INTEGER);
    } else if (value instanceof Float) {
      stack.add(Opcodes.FLOAT);
    } else if (value instanceof Long) {
      push(stack, Opcodes.LONG);
    } else if (value instanceof Double) {
      push(stack, Opcodes.DOUBLE);
    } else if (value instanceof String) {
      stack.add("java/lang/String");
    } else if (value instanceof Type) {
      stack.add(
          ((Type) value).getSort() == Type.METHOD
              ? "java/lang/invoke/MethodType"
              : "java/lang/Class");
    } else if (value instanceof Handle) {
      stack.add("java/lang/invoke/MethodHandle");
    } else if (value instanceof ConstantDynamic) {
      pushDescriptor(((ConstantDynamic) value).getDescriptor());
    } else {
      throw new IllegalArgumentException("ldc of " + value);
    }
  }

  /** {@code iinc} leaves the types as they are. */
  void iincInsn() {
    labelsHere.clear();
  }

  /** {@code tableswitch}, {@code lookupswitch}: the key is popped and every way out jumps. */
  void switchInsn(Label dflt, Label[] targets) {
    labelsHere.clear();
    if (reachable) {
      pop(1);
      carryTo(dflt);
      for (Label target : targets) {
        carryTo(target);
      }
      end();
    }
  }

  /** {@code multianewarray}. */
  void multiANewArrayInsn(String descriptor, int dimensions) {
    labelsHere.clear();
    if (!reachable) {
      return;
    }
    pop(dimensions);
    stack.add(descriptor);
  }
}
