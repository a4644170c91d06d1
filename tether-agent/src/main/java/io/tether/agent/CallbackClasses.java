package io.tether.agent;

import io.tether.internal.Callbacks;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Generates the wrappers of callbacks handed to third-party libraries ({@link Callbacks}): for a
 * callback class, a class that implements every interface of it the wrapper's package can see (so
 * that a library's {@code instanceof} checks still hold), or, where the declared parameter is a
 * class, one that extends that class; each of its methods runs the callback's in the context of the
 * registration:
 *
 * <pre>{@code
 * Object state = WovenCalls.callbackEnter(link);
 * try { return ((I) delegate).m(args); }
 * catch (Throwable t) { WovenCalls.callbackThrown(link, t); throw t; }
 * finally { WovenCalls.callbackExit(link, state); }
 * }</pre>
 *
 * <p>The class is defined in the package and class loader of the callback's class (or of the
 * declared type, where the callback's package is one of the JDK's), through a private lookup, so it
 * sees exactly what that package sees. Every wrapper class is also its own {@link Callbacks.Maker}:
 * an instance without a delegate makes the others. A class for which no wrapper can be made is
 * reported once; its callbacks are passed on unwrapped.
 */
final class CallbackClasses implements Callbacks.Generator {

  private static final String WOVEN = MethodAdvice.ADVICE;
  private static final String LINKED = "io/tether/internal/LinkedCallback";
  private static final String MAKER = "io/tether/internal/Callbacks$Maker";
  private static final String OBJECT = "java/lang/Object";
  private static final AtomicInteger NEXT = new AtomicInteger();

  private final Instrumentation inst;

  CallbackClasses(Instrumentation inst) {
    this.inst = inst;
  }

  /** Makes a generator the callbacks' ({@link Callbacks#install}). */
  static void install(Instrumentation inst) {
    Callbacks.install(new CallbackClasses(inst));
  }

  @Override
  public Callbacks.Maker generate(Class<?> callbackClass, Class<?> declared) {
    try {
      Callbacks.Maker maker =
          declared == null ? forInterfaces(callbackClass) : forSuperclass(declared);
      if (maker == null) {
        report(declared == null ? callbackClass : declared, "no accessible type to implement");
      }
      return maker;
    } catch (Throwable t) {
      report(declared == null ? callbackClass : declared, t.toString());
      return null;
    }
  }

  private static void report(Class<?> type, String why) {
    System.err.println(
        "tether-agent: cannot link callbacks of "
            + type.getName()
            + " ("
            + why
            + "); they run in the context of whoever calls them");
  }

  /** A wrapper implementing the callback class's interfaces. */
  private Callbacks.Maker forInterfaces(Class<?> callbackClass) throws Throwable {
    Class<?> host = callbackClass;
    if (isJdk(host)) {
      // A JDK class's package is not ours to add to: host the wrapper beside its first
      // non-JDK interface instead, or, where all are the JDK's, beside this class.
      host = CallbackClasses.class;
      for (Class<?> i : interfaces(callbackClass)) {
        if (!isJdk(i)) {
          host = i;
          break;
        }
      }
    }
    MethodHandles.Lookup lookup =
        host == CallbackClasses.class ? MethodHandles.lookup() : lookupIn(host);
    List<Class<?>> implemented = new ArrayList<>();
    for (Class<?> i : interfaces(callbackClass)) {
      if (visible(i, host)) {
        implemented.add(i);
      }
    }
    if (implemented.isEmpty()) {
      return null;
    }
    Map<String, Class<?>> methods = new LinkedHashMap<>();
    Map<String, Method> byKey = new LinkedHashMap<>();
    for (Class<?> i : implemented) {
      for (Method m : i.getMethods()) {
        if (Modifier.isStatic(m.getModifiers()) || isObjectMethod(m)) {
          continue;
        }
        String key = m.getName() + Type.getMethodDescriptor(m);
        if (!methods.containsKey(key)) {
          methods.put(key, i);
          byKey.put(key, m);
        }
      }
    }
    String name = packagePrefix(host) + "Tether$Callback$" + NEXT.incrementAndGet();
    String[] names = new String[implemented.size()];
    for (int k = 0; k < names.length; k++) {
      names[k] = Type.getInternalName(implemented.get(k));
    }
    byte[] bytes = write(name, OBJECT, names, methods, byKey, false);
    return instantiate(lookup, bytes);
  }

  /** A wrapper extending the declared class (an abstract listener class, say). */
  private Callbacks.Maker forSuperclass(Class<?> declared) throws Throwable {
    if (Modifier.isFinal(declared.getModifiers()) || isJdk(declared)) {
      return null;
    }
    Constructor<?> noArgs = declared.getDeclaredConstructor();
    if (Modifier.isPrivate(noArgs.getModifiers())) {
      return null;
    }
    MethodHandles.Lookup lookup = lookupIn(declared);
    Map<String, Class<?>> methods = new LinkedHashMap<>();
    Map<String, Method> byKey = new LinkedHashMap<>();
    List<Method> candidates = new ArrayList<>();
    for (Method m : declared.getMethods()) {
      candidates.add(m);
    }
    for (Class<?> c = declared; c != Object.class && c != null; c = c.getSuperclass()) {
      if (c.getPackageName().equals(declared.getPackageName())
          && c.getClassLoader() == declared.getClassLoader()) {
        for (Method m : c.getDeclaredMethods()) {
          if (!Modifier.isPublic(m.getModifiers()) && !Modifier.isPrivate(m.getModifiers())) {
            candidates.add(m);
          }
        }
      }
    }
    for (Method m : candidates) {
      int mods = m.getModifiers();
      if (Modifier.isStatic(mods) || m.isBridge() || m.isSynthetic()) {
        continue;
      }
      if (m.getDeclaringClass() == Object.class && !m.getName().equals("toString")) {
        continue;
      }
      String key = m.getName() + Type.getMethodDescriptor(m);
      if (methods.containsKey(key)) {
        continue;
      }
      if (Modifier.isFinal(mods)) {
        if (Modifier.isAbstract(mods)) {
          return null;
        }
        methods.put(key, null); // cannot be overridden: keep what the class does
        continue;
      }
      methods.put(key, declared);
      byKey.put(key, m);
    }
    methods.values().removeIf(v -> v == null);
    String name = packagePrefix(declared) + "Tether$Callback$" + NEXT.incrementAndGet();
    byte[] bytes =
        write(
            name,
            Type.getInternalName(declared),
            new String[0],
            methods,
            byKey,
            !declared.isInterface());
    return instantiate(lookup, bytes);
  }

  private MethodHandles.Lookup lookupIn(Class<?> host) throws IllegalAccessException {
    Module target = host.getModule();
    Module self = CallbackClasses.class.getModule();
    if (target.isNamed() && !target.isOpen(host.getPackageName(), self)) {
      inst.redefineModule(
          target,
          Set.of(),
          Map.of(),
          Map.of(host.getPackageName(), Set.of(self)),
          Set.of(),
          Map.of());
    }
    return MethodHandles.privateLookupIn(host, MethodHandles.lookup());
  }

  private static Callbacks.Maker instantiate(MethodHandles.Lookup lookup, byte[] bytes)
      throws Throwable {
    Class<?> wrapper = lookup.defineClass(bytes);
    // The wrapper is in the lookup's package and its constructor is public: the defining lookup
    // reaches it. (A second privateLookupIn from it would fail for a named module: a private
    // lookup into another module has no MODULE mode to hand on.)
    return (Callbacks.Maker)
        lookup.findConstructor(wrapper, MethodType.methodType(void.class)).invoke();
  }

  private static boolean isJdk(Class<?> type) {
    ClassLoader loader = type.getClassLoader();
    return loader == null || loader == ClassLoader.getPlatformClassLoader();
  }

  private static String packagePrefix(Class<?> type) {
    String p = type.getPackageName();
    return p.isEmpty() ? "" : p.replace('.', '/') + "/";
  }

  /** Every interface {@code type} implements, through its super classes and super interfaces. */
  private static Set<Class<?>> interfaces(Class<?> type) {
    Set<Class<?>> all = new LinkedHashSet<>();
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      collect(c.getInterfaces(), all);
    }
    return all;
  }

  private static void collect(Class<?>[] interfaces, Set<Class<?>> into) {
    for (Class<?> i : interfaces) {
      if (into.add(i)) {
        collect(i.getInterfaces(), into);
      }
    }
  }

  /** Whether a class in {@code host}'s package may implement interface {@code i}. */
  private static boolean visible(Class<?> i, Class<?> host) {
    if (i.isHidden() || i.isSealed() || i.getName().startsWith("io.tether.internal.")) {
      return false;
    }
    if (Modifier.isPublic(i.getModifiers())) {
      return i.getModule().isExported(i.getPackageName(), host.getModule());
    }
    return i.getPackageName().equals(host.getPackageName())
        && i.getClassLoader() == host.getClassLoader();
  }

  private static boolean isObjectMethod(Method m) {
    try {
      Object.class.getMethod(m.getName(), m.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /**
   * The wrapper class: {@code methods} maps each method's name and descriptor to the type whose
   * method the delegate is called through ({@code invokevirtual} for a class, {@code
   * invokeinterface} for an interface).
   */
  private static byte[] write(
      String name,
      String superName,
      String[] interfaces,
      Map<String, Class<?>> methods,
      Map<String, Method> byKey,
      boolean superIsClass) {
    ClassWriter cw =
        new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
          @Override
          protected String getCommonSuperClass(String a, String b) {
            return OBJECT; // never loads a class; the wrappers' frames only merge to Object
          }
        };
    String[] all = new String[interfaces.length + 2];
    System.arraycopy(interfaces, 0, all, 0, interfaces.length);
    all[interfaces.length] = LINKED;
    all[interfaces.length + 1] = MAKER;
    cw.visit(
        Opcodes.V11,
        Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SYNTHETIC | Opcodes.ACC_SUPER,
        name,
        null,
        superName,
        all);
    cw.visitField(
            Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "delegate", "Ljava/lang/Object;", null, null)
        .visitEnd();
    cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "link", "Ljava/lang/Object;", null, null)
        .visitEnd();
    constructors(cw, name, superName);
    MethodVisitor mv;
    mv =
        cw.visitMethod(
            Opcodes.ACC_PUBLIC,
            "make",
            "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;",
            null,
            null);
    mv.visitCode();
    mv.visitTypeInsn(Opcodes.NEW, name);
    mv.visitInsn(Opcodes.DUP);
    mv.visitVarInsn(Opcodes.ALOAD, 1);
    mv.visitVarInsn(Opcodes.ALOAD, 2);
    mv.visitMethodInsn(
        Opcodes.INVOKESPECIAL, name, "<init>", "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
    mv.visitInsn(Opcodes.ARETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
    if (!methods.containsKey("toString()Ljava/lang/String;")) {
      toString(cw, name);
    }
    for (Entry<String, Class<?>> e : methods.entrySet()) {
      forward(cw, name, byKey.get(e.getKey()), e.getValue());
    }
    cw.visitEnd();
    return cw.toByteArray();
  }

  private static void constructors(ClassWriter cw, String name, String superName) {
    MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    mv.visitCode();
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitMethodInsn(Opcodes.INVOKESPECIAL, superName, "<init>", "()V", false);
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitInsn(Opcodes.ACONST_NULL);
    mv.visitFieldInsn(Opcodes.PUTFIELD, name, "delegate", "Ljava/lang/Object;");
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitInsn(Opcodes.ACONST_NULL);
    mv.visitFieldInsn(Opcodes.PUTFIELD, name, "link", "Ljava/lang/Object;");
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
    mv =
        cw.visitMethod(
            Opcodes.ACC_PRIVATE, "<init>", "(Ljava/lang/Object;Ljava/lang/Object;)V", null, null);
    mv.visitCode();
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitMethodInsn(Opcodes.INVOKESPECIAL, superName, "<init>", "()V", false);
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitVarInsn(Opcodes.ALOAD, 1);
    mv.visitFieldInsn(Opcodes.PUTFIELD, name, "delegate", "Ljava/lang/Object;");
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitVarInsn(Opcodes.ALOAD, 2);
    mv.visitFieldInsn(Opcodes.PUTFIELD, name, "link", "Ljava/lang/Object;");
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** {@code toString} of the delegate, so that a library's logs name the application's object. */
  private static void toString(ClassWriter cw, String name) {
    MethodVisitor mv =
        cw.visitMethod(Opcodes.ACC_PUBLIC, "toString", "()Ljava/lang/String;", null, null);
    mv.visitCode();
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitFieldInsn(Opcodes.GETFIELD, name, "delegate", "Ljava/lang/Object;");
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        "java/lang/String",
        "valueOf",
        "(Ljava/lang/Object;)Ljava/lang/String;",
        false);
    mv.visitInsn(Opcodes.ARETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** One method: the delegate's, called in the link's context. */
  private static void forward(ClassWriter cw, String name, Method m, Class<?> through) {
    String descriptor = Type.getMethodDescriptor(m);
    int access =
        Modifier.isPublic(m.getModifiers())
            ? Opcodes.ACC_PUBLIC
            : Modifier.isProtected(m.getModifiers()) ? Opcodes.ACC_PROTECTED : 0;
    String[] exceptions = new String[m.getExceptionTypes().length];
    for (int k = 0; k < exceptions.length; k++) {
      exceptions[k] = Type.getInternalName(m.getExceptionTypes()[k]);
    }
    MethodVisitor mv = cw.visitMethod(access, m.getName(), descriptor, null, exceptions);
    mv.visitCode();
    Type[] args = Type.getArgumentTypes(descriptor);
    Type ret = Type.getReturnType(descriptor);
    int next = 1;
    for (Type t : args) {
      next += t.getSize();
    }
    int state = next;
    int result = next + 1;
    int thrown = result + Math.max(ret.getSize(), 1);
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitFieldInsn(Opcodes.GETFIELD, name, "link", "Ljava/lang/Object;");
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        WOVEN,
        "callbackEnter",
        "(Ljava/lang/Object;)Ljava/lang/Object;",
        false);
    mv.visitVarInsn(Opcodes.ASTORE, state);
    Label start = new Label();
    Label end = new Label();
    Label handler = new Label();
    mv.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
    mv.visitLabel(start);
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitFieldInsn(Opcodes.GETFIELD, name, "delegate", "Ljava/lang/Object;");
    String owner = Type.getInternalName(through);
    mv.visitTypeInsn(Opcodes.CHECKCAST, owner);
    int slot = 1;
    for (Type t : args) {
      mv.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
      slot += t.getSize();
    }
    if (through.isInterface()) {
      mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, owner, m.getName(), descriptor, true);
    } else {
      mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, owner, m.getName(), descriptor, false);
    }
    mv.visitLabel(end);
    if (ret.getSort() != Type.VOID) {
      mv.visitVarInsn(ret.getOpcode(Opcodes.ISTORE), result);
    }
    exitCall(mv, name, state);
    if (ret.getSort() != Type.VOID) {
      mv.visitVarInsn(ret.getOpcode(Opcodes.ILOAD), result);
    }
    mv.visitInsn(ret.getOpcode(Opcodes.IRETURN));
    mv.visitLabel(handler);
    mv.visitVarInsn(Opcodes.ASTORE, thrown);
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitFieldInsn(Opcodes.GETFIELD, name, "link", "Ljava/lang/Object;");
    mv.visitVarInsn(Opcodes.ALOAD, thrown);
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        WOVEN,
        "callbackThrown",
        "(Ljava/lang/Object;Ljava/lang/Throwable;)V",
        false);
    exitCall(mv, name, state);
    mv.visitVarInsn(Opcodes.ALOAD, thrown);
    mv.visitInsn(Opcodes.ATHROW);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private static void exitCall(MethodVisitor mv, String name, int state) {
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitFieldInsn(Opcodes.GETFIELD, name, "link", "Ljava/lang/Object;");
    mv.visitVarInsn(Opcodes.ALOAD, state);
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        WOVEN,
        "callbackExit",
        "(Ljava/lang/Object;Ljava/lang/Object;)V",
        false);
  }
}
