package io.tether.agent;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;

/**
 * Which of the few super types the agent cares about a class has, by name only, so that matching
 * loads none of the JDK classes the agent instruments (an agent that only transforms classes as
 * they load, such as TransmittableThreadLocal's, may come after this one). A class being loaded is
 * matched from its class file and its super types' class files, read as resources of its loader
 * (the JDK's own from the system loader, cached for all); a class already loaded, through
 * reflection. A super type that cannot be found (generated, or an interface another agent added
 * whose class file no loader serves) simply adds nothing. Results are cached per class loader,
 * weakly.
 */
final class TypeHierarchy {

  static final int EXECUTOR = 1;

  /** {@code ThreadPoolExecutor} or {@code ForkJoinPool}: instrumented precisely, not wrapped. */
  static final int JDK_POOL = 2;

  static final int THREAD = 4;
  static final int ASYNC_CHANNEL = 8;

  private static final int MAX_DEPTH = 64;

  private final Map<String, Integer> jdk = new ConcurrentHashMap<>();
  private final Map<ClassLoader, Map<String, Integer>> byLoader =
      Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<String, Integer> bootstrap = new ConcurrentHashMap<>();

  /** The flag a type's own name gives (internal name). */
  static int own(String name) {
    switch (name) {
      case "java/util/concurrent/Executor":
        return EXECUTOR;
      case "java/util/concurrent/ThreadPoolExecutor":
      case "java/util/concurrent/ForkJoinPool":
        return JDK_POOL;
      case "java/lang/Thread":
        return THREAD;
      case "java/nio/channels/AsynchronousChannel":
        return ASYNC_CHANNEL;
      default:
        return 0;
    }
  }

  static boolean isJdkName(String internalName) {
    return internalName.startsWith("java/")
        || internalName.startsWith("jdk/")
        || internalName.startsWith("sun/")
        || internalName.startsWith("com/sun/");
  }

  /** The flags of a loaded class, by reflection over names. */
  static int of(Class<?> type) {
    int flags = 0;
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      flags |= own(c.getName().replace('.', '/')) | interfaces(c, 0);
    }
    return flags;
  }

  private static int interfaces(Class<?> type, int depth) {
    int flags = 0;
    if (depth > MAX_DEPTH) {
      return 0;
    }
    for (Class<?> i : type.getInterfaces()) {
      flags |= own(i.getName().replace('.', '/')) | interfaces(i, depth + 1);
    }
    return flags;
  }

  /** The flags of a class being loaded by {@code loader}, from its class file's header. */
  int of(ClassLoader loader, String name, String superName, String[] interfaces) {
    int flags = own(name) | resolve(loader, superName, 0);
    for (String i : interfaces) {
      flags |= resolve(loader, i, 0);
    }
    return flags;
  }

  private int resolve(ClassLoader loader, String name, int depth) {
    if (name == null || name.equals("java/lang/Object") || depth > MAX_DEPTH) {
      return 0;
    }
    int own = own(name);
    if (own != 0) {
      return own;
    }
    // The JDK's types are read as class files too, never loaded from here: a class loaded while a
    // transformer runs is not handed to that transformer (the JVM's instrumentation does not
    // re-enter on the same thread), so loading, say, ThreadPoolExecutor while matching an
    // application's subclass of it would leave it uninstrumented for good.
    if (isJdkName(name)) {
      Integer known = jdk.get(name);
      if (known != null) {
        return known;
      }
      byte[] header = read(null, name);
      if (header != null) {
        int flags = parse(null, header, depth);
        jdk.put(name, flags);
        return flags;
      }
      // not the JDK's: an application class in a JDK-like package, read as any other
    }
    Map<String, Integer> cache = cacheOf(loader);
    Integer known = cache.get(name);
    if (known != null) {
      return known;
    }
    byte[] header = read(loader, name);
    int flags = header == null ? 0 : parse(loader, header, depth);
    cache.put(name, flags);
    return flags;
  }

  private int parse(ClassLoader loader, byte[] classFile, int depth) {
    try {
      ClassReader reader = new ClassReader(classFile);
      int flags = resolve(loader, reader.getSuperName(), depth + 1);
      for (String i : reader.getInterfaces()) {
        flags |= resolve(loader, i, depth + 1);
      }
      return flags;
    } catch (RuntimeException malformed) {
      return 0;
    }
  }

  private Map<String, Integer> cacheOf(ClassLoader loader) {
    if (loader == null) {
      return bootstrap;
    }
    synchronized (byLoader) {
      Map<String, Integer> cache = byLoader.get(loader);
      if (cache == null) {
        cache = new ConcurrentHashMap<>();
        byLoader.put(loader, cache);
      }
      return cache;
    }
  }

  private static byte[] read(ClassLoader loader, String name) {
    String resource = name + ".class";
    try (InputStream in =
        loader != null
            ? loader.getResourceAsStream(resource)
            : ClassLoader.getSystemResourceAsStream(resource)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException | RuntimeException unreadable) {
      return null;
    }
  }
}
