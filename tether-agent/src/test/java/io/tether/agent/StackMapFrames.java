package io.tether.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * A build step of the agent jar (run by the build after shading, not part of the agent): rewrites
 * the relocated ASM classes, which ASM publishes as Java 5 class files without stack map frames, as
 * Java 8 class files with frames. The JVM verifies the classes of a {@code -javaagent} jar at
 * start-up, and class files without frames go through the old type-inferring verifier, which costs
 * a few milliseconds of every start of an application with the agent. Frames are computed from the
 * jar's own classes (every supertype of ASM's classes is ASM's or the JDK's), so nothing outside
 * the JDK is loaded.
 *
 * <p>Usage: {@code StackMapFrames JAR PACKAGE_PREFIX} (for example {@code
 * io/tether/agent/shaded/asm/}); the jar is rewritten in place, entry order kept.
 */
public final class StackMapFrames {

  private StackMapFrames() {}

  /** Rewrites the jar {@code args[0]}'s classes under the prefix {@code args[1]}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: StackMapFrames JAR PACKAGE_PREFIX");
    }
    Path jar = Path.of(args[0]);
    String prefix = args[1];
    Map<String, byte[]> entries = new LinkedHashMap<>();
    List<ZipEntry> headers = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        headers.add(e);
        entries.put(e.getName(), in.readAllBytes());
      }
    }
    Map<String, ClassReader> own = new HashMap<>();
    entries.forEach(
        (name, bytes) -> {
          if (name.startsWith(prefix) && name.endsWith(".class")) {
            own.put(name.substring(0, name.length() - 6), new ClassReader(bytes));
          }
        });
    int rewritten = 0;
    for (Map.Entry<String, ClassReader> c : own.entrySet()) {
      ClassReader reader = c.getValue();
      if (reader.readUnsignedShort(6) >= 52) { // already has frames
        continue;
      }
      ClassWriter writer = new JarClassWriter(own);
      reader.accept(
          new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(
                int version,
                int access,
                String name,
                String signature,
                String superName,
                String[] interfaces) {
              super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
            }
          },
          0);
      entries.put(c.getKey() + ".class", writer.toByteArray());
      rewritten++;
    }
    Path tmp = jar.resolveSibling(jar.getFileName() + ".frames");
    try (OutputStream file = Files.newOutputStream(tmp);
        ZipOutputStream out = new ZipOutputStream(file)) {
      for (ZipEntry header : headers) {
        ZipEntry e = new ZipEntry(header.getName());
        e.setTime(header.getTime());
        out.putNextEntry(e);
        out.write(entries.get(header.getName()));
        out.closeEntry();
      }
    }
    Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
    System.out.println(
        "[frames] " + rewritten + " classes under " + prefix + " of " + jar.getFileName());
  }

  /** Computes frames knowing the jar's own class hierarchy, and the JDK's through reflection. */
  private static final class JarClassWriter extends ClassWriter {
    private final Map<String, ClassReader> own;

    JarClassWriter(Map<String, ClassReader> own) {
      super(COMPUTE_FRAMES);
      this.own = own;
    }

    @Override
    protected String getCommonSuperClass(String type1, String type2) {
      if (isInterface(type1) || isInterface(type2)) {
        return "java/lang/Object";
      }
      List<String> ancestors = new ArrayList<>();
      for (String t = type1; t != null; t = superOf(t)) {
        ancestors.add(t);
      }
      for (String t = type2; t != null; t = superOf(t)) {
        if (ancestors.contains(t)) {
          return t;
        }
      }
      return "java/lang/Object";
    }

    private boolean isInterface(String type) {
      ClassReader r = own.get(type);
      return r != null ? (r.getAccess() & Opcodes.ACC_INTERFACE) != 0 : jdk(type).isInterface();
    }

    private String superOf(String type) {
      ClassReader r = own.get(type);
      if (r != null) {
        return r.getSuperName();
      }
      Class<?> s = jdk(type).getSuperclass();
      return s == null ? null : s.getName().replace('.', '/');
    }

    private static Class<?> jdk(String type) {
      try {
        return Class.forName(type.replace('/', '.'), false, ClassLoader.getPlatformClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("not the jar's and not the JDK's: " + type, e);
      }
    }
  }
}
