package io.tether.agent;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The agent's class file transformer: picks the {@link Boundaries} rules that apply to a class (by
 * name for the JDK's types, by {@link TypeHierarchy} for executors, threads and channels) and
 * weaves them in with ASM, directly on the class file as handed over. Nothing else of the class
 * changes (the constant pool is kept), so it can be retransformed and other agents' changes before
 * or after this one survive, with one exception made at first load only: the types of {@link
 * Boundaries#linkFieldTypes} (where every instance needs a link, and a weak map costs more than the
 * work it tracks) get {@link #LINK_HOLDER}, a field and its two accessors. A class given them keeps
 * them through every later retransformation (which may not remove members); one already loaded
 * never gets them. A class that cannot be woven is reported once and runs uninstrumented.
 */
final class Weaver implements ClassFileTransformer {

  static final int ASM_API = Opcodes.ASM9;

  /** The interface of classes given a link field (in tether-core, on the bootstrap path). */
  static final String LINK_HOLDER = "io/tether/internal/LinkHolder";

  static final String LINK_FIELD = "tether$link";

  private final Boundaries boundaries;
  private final boolean debug;
  private final TypeHierarchy hierarchy;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  Weaver(Boundaries boundaries, boolean debug) {
    this.boundaries = boundaries;
    this.debug = debug;
    this.hierarchy = new TypeHierarchy(boundaries);
  }

  /**
   * Classes never woven: Tether's own on the bootstrap class path, and what the agent jar shades
   * (its ASM and trace recorder, relocated under {@code io/tether/agent/shaded/}). An application's
   * own ASM or ByteBuddy is not skipped by name: like any library, it is woven only where it
   * extends a type the boundaries name.
   */
  private static boolean ignored(String name, ClassLoader loader) {
    return name.startsWith("io/tether/agent/shaded/")
        || name.startsWith("io/tether/") && loader == null
        || name.contains("$$Lambda");
  }

  /** Whether {@code type}, already loaded, is one this weaver changes (to retransform it). */
  boolean wants(Class<?> type) {
    if (type.isArray() || type.isPrimitive() || type.isInterface()) {
      return false;
    }
    String name = type.getName().replace('.', '/');
    if (ignored(name, type.getClassLoader())) {
      return false;
    }
    boundaries.ensure(name);
    List<Boundaries.Rule> jdk = boundaries.jdkTypes.get(name);
    if (jdk != null) {
      return !jdk.isEmpty(); // a type only given the link field has nothing to weave once loaded
    }
    if (boundaries.libraryTypes.containsKey(name)) {
      return true;
    }
    return !rules(name, hierarchy.of(type)).isEmpty();
  }

  private List<Boundaries.Rule> rules(String name, long flags) {
    List<Boundaries.Rule> rules = new ArrayList<>(2);
    List<Boundaries.Rule> declared = boundaries.libraryTypes.get(name);
    if (declared != null) {
      rules.addAll(declared);
    }
    if (flags >>> 8 != 0) {
      for (int i = 0; i < boundaries.libraryRoots.size(); i++) {
        if ((flags & TypeHierarchy.root(i)) != 0) {
          rules.addAll(boundaries.rootRules.get(i));
        }
      }
    }
    if (TypeHierarchy.isJdkName(name)) {
      if (name.startsWith("sun/nio/ch/") && (flags & TypeHierarchy.ASYNC_CHANNEL) != 0) {
        rules.addAll(boundaries.asyncChannels);
      }
      return rules;
    }
    if ((flags & TypeHierarchy.EXECUTOR) != 0 && (flags & TypeHierarchy.JDK_POOL) == 0) {
      rules.addAll(boundaries.executors);
    }
    if ((flags & TypeHierarchy.THREAD) != 0) {
      rules.addAll(boundaries.threads);
    }
    return rules;
  }

  private boolean candidate(String name) {
    if (TypeHierarchy.isJdkName(name)) {
      return name.startsWith("sun/nio/ch/") && !boundaries.asyncChannels.isEmpty();
    }
    return !boundaries.executors.isEmpty()
        || !boundaries.threads.isEmpty()
        || !boundaries.libraryRoots.isEmpty()
        || boundaries.libraryTypes.containsKey(name);
  }

  private volatile java.lang.instrument.Instrumentation inst;

  /**
   * Lets named modules whose classes this weaver changes read tether-core (the woven calls go to
   * its unnamed module on the bootstrap class path): a library on the module path.
   */
  void modules(java.lang.instrument.Instrumentation inst) {
    this.inst = inst;
  }

  @Override
  public byte[] transform(
      Module module,
      ClassLoader loader,
      String name,
      Class<?> redefined,
      ProtectionDomain domain,
      byte[] bytes) {
    byte[] woven = transform(loader, name, redefined, domain, bytes);
    java.lang.instrument.Instrumentation i = inst;
    if (woven != null && i != null && module != null && module.isNamed()) {
      letRead(i, module);
    }
    return woven;
  }

  /** Lets the named {@code module}, whose classes now call tether-core, read it. */
  static void letRead(java.lang.instrument.Instrumentation inst, Module module) {
    Module tether = io.tether.AsyncLocalStorage.class.getModule();
    if (!module.canRead(tether)) {
      inst.redefineModule(module, Set.of(tether), Map.of(), Map.of(), Set.of(), Map.of());
    }
  }

  @Override
  public byte[] transform(
      ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
    if (name == null || ignored(name, loader)) {
      return null;
    }
    try {
      boundaries.ensure(name);
      List<Boundaries.Rule> rules = boundaries.jdkTypes.get(name);
      boolean taskField = false;
      if (rules == null) {
        if (!candidate(name)) {
          return null;
        }
        long flags;
        if (redefined != null) {
          if (redefined.isInterface()) {
            return null;
          }
          flags = hierarchy.of(redefined);
          taskField = hasLinkField(redefined); // given at first load: kept, or the schema changes
        } else {
          ClassReader header = new ClassReader(bytes);
          String superName = header.getSuperName();
          String[] interfaces = header.getInterfaces();
          if ((header.getAccess() & Opcodes.ACC_INTERFACE) != 0
              || "java/lang/Object".equals(superName)
                  && interfaces.length == 0
                  && !boundaries.libraryTypes.containsKey(name)) {
            return null;
          }
          taskField = plainTask(superName, interfaces);
          flags = hierarchy.of(loader, name, superName, interfaces);
        }
        rules = rules(name, flags);
        if (rules.isEmpty() && !taskField) {
          return null;
        }
      }
      boolean linkField =
          taskField
              || boundaries.linkFieldTypes.contains(name)
                  && (redefined == null || hasLinkField(redefined));
      byte[] woven = weave(bytes, rules, linkField);
      if (woven != null && debug) {
        System.err.println("tether-agent: instrumented " + name.replace('/', '.'));
      }
      return woven;
    } catch (Throwable t) {
      report(name.replace('/', '.'), t);
      return null;
    }
  }

  /**
   * Whether a class that is loading is a plain task of the application's or a library's: it extends
   * {@code Object} and implements {@code Runnable} or {@code Callable} and nothing else (an
   * anonymous task, or a named one). Such a class gets the link field ({@link #LINK_HOLDER}), where
   * its instances' first link waits instead of the weak identity map. Nothing else qualifies: not a
   * class with another interface, which might make it {@code Serializable} (the field would change
   * its default serial version), nor a subclass, nor a lambda (the JDK does not show those).
   */
  static boolean plainTask(String superName, String[] interfaces) {
    return "java/lang/Object".equals(superName)
        && interfaces.length == 1
        && ("java/lang/Runnable".equals(interfaces[0])
            || "java/util/concurrent/Callable".equals(interfaces[0]));
  }

  /** Whether a loaded class was given the link field when it was first loaded. */
  private static boolean hasLinkField(Class<?> type) {
    for (Class<?> implemented : type.getInterfaces()) {
      if (implemented.getName().equals(LINK_HOLDER.replace('/', '.'))) {
        return true;
      }
    }
    return false;
  }

  /** Reports a class that could not be instrumented, once; the application runs on. */
  void report(String className, Throwable error) {
    if (reported.add(className)) {
      System.err.println(
          "tether-agent: could not instrument "
              + className
              + " ("
              + error
              + "); it runs uninstrumented");
    }
  }

  private static MethodAdvice adviceFor(
      List<Boundaries.Rule> rules, int access, String name, String descriptor) {
    if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
      return null;
    }
    MethodAdvice advice = null;
    for (Boundaries.Rule rule : rules) {
      if (rule.methods.matches(access, name, descriptor)) {
        advice = advice == null ? rule.advice : advice.merge(rule.advice);
      }
    }
    return advice;
  }

  /** {@code bytes} with {@code rules} woven in, or {@code null} if no method matched. */
  static byte[] weave(byte[] bytes, List<Boundaries.Rule> rules) {
    return weave(bytes, rules, false);
  }

  /**
   * {@code bytes} with {@code rules} woven in and, if {@code linkField}, {@link #LINK_HOLDER}
   * implemented by a field of its own; {@code null} if nothing changed (no method matched, and no
   * field to add).
   */
  static byte[] weave(byte[] bytes, List<Boundaries.Rule> rules, boolean linkField) {
    ClassReader reader = new ClassReader(bytes);
    Set<String> writers = fieldWriters(reader, rules);
    Map<String, MethodAdvice> matched = new HashMap<>();
    Map<String, AdviceWeaver.Sites> sites = new HashMap<>();
    boolean[] hasLinkField = new boolean[1];
    reader.accept(
        new ClassVisitor(ASM_API) {
          @Override
          public FieldVisitor visitField(
              int access, String name, String descriptor, String signature, Object value) {
            hasLinkField[0] |= name.equals(LINK_FIELD);
            return null;
          }

          @Override
          public MethodVisitor visitMethod(
              int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodAdvice advice = adviceFor(rules, access, name, descriptor);
            if (advice == null) {
              return null;
            }
            String key = name + descriptor;
            if (!advice.fieldWrites.isEmpty() && !writers.contains(key)) {
              // No write to watch: a method with nothing else to weave is copied as it is.
              advice = advice.withoutFieldWrites();
              if (advice.isEmpty()) {
                return null;
              }
            }
            matched.put(key, advice);
            if (!advice.weavesEntryOrExit() && advice.fieldWrites.isEmpty()) {
              return null;
            }
            // The method's own locals, and the calls whose nets must be declared first.
            AdviceWeaver.Sites counted = new AdviceWeaver.Sites();
            sites.put(key, counted);
            return AdviceWeaver.counter(advice, name, counted);
          }
        },
        ClassReader.SKIP_FRAMES | ClassReader.SKIP_DEBUG);
    boolean addLinkField = linkField && !hasLinkField[0];
    if (matched.isEmpty() && !addLinkField) {
      return null;
    }
    ClassWriter writer = new ClassWriter(reader, 0);
    reader.accept(
        new ClassVisitor(ASM_API, writer) {
          private int frames;

          private String owner;

          @Override
          public void visit(
              int version,
              int access,
              String name,
              String signature,
              String superName,
              String[] interfaces) {
            frames = (version & 0xFFFF) >= Opcodes.V1_6 ? FRAMES : NO_FRAMES;
            if (frames == FRAMES && !hasStackMaps(reader)) {
              frames = STRIPPED_FRAMES;
            }
            owner = name;
            String[] implemented = interfaces;
            if (addLinkField && !List.of(interfaces).contains(LINK_HOLDER)) {
              implemented = java.util.Arrays.copyOf(interfaces, interfaces.length + 1);
              implemented[interfaces.length] = LINK_HOLDER;
            }
            super.visit(version, access, name, signature, superName, implemented);
          }

          @Override
          public void visitEnd() {
            if (addLinkField) {
              addLinkField(cv, owner);
            }
            super.visitEnd();
          }

          @Override
          public MethodVisitor visitMethod(
              int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
            MethodAdvice advice = matched.get(name + descriptor);
            if (advice == null) {
              return next;
            }
            AdviceWeaver.Sites counted = sites.get(name + descriptor);
            return new AdviceWeaver(
                next,
                owner,
                access,
                name,
                descriptor,
                advice,
                counted == null ? new AdviceWeaver.Sites() : counted,
                frames);
          }
        },
        ClassReader.EXPAND_FRAMES);
    return writer.toByteArray();
  }

  /** A class file without stack map frames: before version 50 (Java 6). */
  static final int NO_FRAMES = 0;

  /** A class file with stack map frames wherever a method needs them. */
  static final int FRAMES = 1;

  /**
   * A class file of version 50 or later without a single stack map frame: one that HotSpot hands
   * over, when it is retransformed, stripped of the frames it did not keep (it keeps none of a
   * class it does not verify, as the JDK's own), or one none of whose methods branches.
   */
  static final int STRIPPED_FRAMES = 2;

  /**
   * Whether any method of the class has a {@code StackMapTable}: a scan of the attributes only, so
   * that the first pass can skip the frames (which ASM would otherwise decode, for every method it
   * visits).
   */
  static boolean hasStackMaps(ClassReader reader) {
    char[] buffer = new char[reader.getMaxStringLength()];
    int offset = reader.header + 6;
    offset += 2 + 2 * reader.readUnsignedShort(offset);
    int fields = reader.readUnsignedShort(offset);
    offset += 2;
    for (int i = 0; i < fields; i++) {
      offset = skipAttributes(reader, offset + 6);
    }
    int methods = reader.readUnsignedShort(offset);
    offset += 2;
    for (int i = 0; i < methods; i++) {
      int attributes = reader.readUnsignedShort(offset + 6);
      offset += 8;
      for (int j = 0; j < attributes; j++) {
        int length = reader.readInt(offset + 2);
        if (reader.readUTF8(offset, buffer).equals("Code")) {
          int code = offset + 6;
          int exceptions = code + 8 + reader.readInt(code + 4);
          int codeAttributes = exceptions + 2 + 8 * reader.readUnsignedShort(exceptions);
          int count = reader.readUnsignedShort(codeAttributes);
          int attribute = codeAttributes + 2;
          for (int k = 0; k < count; k++) {
            if (reader.readUTF8(attribute, buffer).equals("StackMapTable")) {
              return true;
            }
            attribute += 6 + reader.readInt(attribute + 2);
          }
        }
        offset += 6 + length;
      }
    }
    return false;
  }

  /**
   * The methods (name and descriptor) whose code may write a field that {@code rules} watch: those
   * whose bytes hold a {@code putfield} of its constant pool entry. A scan of the bytes, not of the
   * instructions (an operand may look the same: that method is then only looked at more closely),
   * so that the weaver parses and rewrites only the few methods of {@code CompletableFuture} that
   * write its {@code result}, not all of them.
   */
  static Set<String> fieldWriters(ClassReader reader, List<Boundaries.Rule> rules) {
    Set<String> fields = new java.util.HashSet<>();
    for (Boundaries.Rule rule : rules) {
      fields.addAll(rule.advice.fieldWrites.keySet());
    }
    Set<String> writers = new java.util.HashSet<>();
    if (fields.isEmpty()) {
      return writers;
    }
    char[] buffer = new char[reader.getMaxStringLength()];
    int[] refs = new int[0];
    for (int i = 1; i < reader.getItemCount(); i++) {
      int item = reader.getItem(i);
      if (item > 0 && reader.readByte(item - 1) == 9) { // CONSTANT_Fieldref
        int nameAndType = reader.getItem(reader.readUnsignedShort(item + 2));
        if (fields.contains(
            reader.readClass(item, buffer) + "." + reader.readUTF8(nameAndType, buffer))) {
          refs = java.util.Arrays.copyOf(refs, refs.length + 1);
          refs[refs.length - 1] = i;
        }
      }
    }
    if (refs.length == 0) {
      return writers;
    }
    int offset = reader.header + 6;
    offset += 2 + 2 * reader.readUnsignedShort(offset);
    int fieldCount = reader.readUnsignedShort(offset);
    offset += 2;
    for (int i = 0; i < fieldCount; i++) {
      offset = skipAttributes(reader, offset + 6);
    }
    int methods = reader.readUnsignedShort(offset);
    offset += 2;
    for (int i = 0; i < methods; i++) {
      String key = reader.readUTF8(offset + 2, buffer) + reader.readUTF8(offset + 4, buffer);
      int attributes = reader.readUnsignedShort(offset + 6);
      offset += 8;
      for (int j = 0; j < attributes; j++) {
        int length = reader.readInt(offset + 2);
        if (reader.readUTF8(offset, buffer).equals("Code")
            && writes(reader, offset + 14, reader.readInt(offset + 10), refs)) {
          writers.add(key);
        }
        offset += 6 + length;
      }
    }
    return writers;
  }

  /** Whether the {@code length} bytes of code at {@code code} hold a putfield of a {@code ref}. */
  private static boolean writes(ClassReader reader, int code, int length, int[] refs) {
    for (int i = code; i + 2 < code + length; i++) {
      if (reader.readByte(i) == Opcodes.PUTFIELD) {
        int ref = reader.readUnsignedShort(i + 1);
        for (int candidate : refs) {
          if (ref == candidate) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The offset after the attributes that start at {@code offset} (with their count). */
  private static int skipAttributes(ClassReader reader, int offset) {
    int count = reader.readUnsignedShort(offset);
    offset += 2;
    for (int i = 0; i < count; i++) {
      offset += 6 + reader.readInt(offset + 2);
    }
    return offset;
  }

  /**
   * The field and the accessors of {@link #LINK_HOLDER}: a transient plain field, public (and
   * synthetic) so that tether-core can compare and set it through a {@code VarHandle} of the public
   * lookup, in {@code java.base}'s classes too (their packages are exported, not open).
   */
  private static void addLinkField(ClassVisitor cv, String owner) {
    cv.visitField(
            Opcodes.ACC_PUBLIC | Opcodes.ACC_TRANSIENT | Opcodes.ACC_SYNTHETIC,
            LINK_FIELD,
            "Ljava/lang/Object;",
            null,
            null)
        .visitEnd();
    int access = Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SYNTHETIC;
    MethodVisitor get = cv.visitMethod(access, LINK_FIELD, "()Ljava/lang/Object;", null, null);
    get.visitCode();
    get.visitVarInsn(Opcodes.ALOAD, 0);
    get.visitFieldInsn(Opcodes.GETFIELD, owner, LINK_FIELD, "Ljava/lang/Object;");
    get.visitInsn(Opcodes.ARETURN);
    get.visitMaxs(1, 1);
    get.visitEnd();
    MethodVisitor set = cv.visitMethod(access, LINK_FIELD, "(Ljava/lang/Object;)V", null, null);
    set.visitCode();
    set.visitVarInsn(Opcodes.ALOAD, 0);
    set.visitVarInsn(Opcodes.ALOAD, 1);
    set.visitFieldInsn(Opcodes.PUTFIELD, owner, LINK_FIELD, "Ljava/lang/Object;");
    set.visitInsn(Opcodes.RETURN);
    set.visitMaxs(2, 2);
    set.visitEnd();
  }
}
