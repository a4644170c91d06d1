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

  static final long EXECUTOR = 1;

  /** {@code ThreadPoolExecutor} or {@code ForkJoinPool}: instrumented precisely, not wrapped. */
  static final long JDK_POOL = 2;

  static final long THREAD = 4;
  static final long ASYNC_CHANNEL = 8;

  /** The first bit of the classes the links declare with their subtypes ({@link #root}). */
  private static final int FIRST_ROOT_BIT = 8;

  /** How many such classes there may be. */
  static final int MAX_ROOTS = 64 - FIRST_ROOT_BIT;

  private static final int MAX_DEPTH = 64;

  private final Map<String, Long> jdk = new ConcurrentHashMap<>();
  private final Map<ClassLoader, Map<String, Long>> byLoader =
      Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<String, Long> bootstrap = new ConcurrentHashMap<>();

  /** The root bits of a class by its internal name ({@link #root}); none for most. */
  interface Roots {
    long rootBits(String internalName);
  }

  private final Roots roots;

  TypeHierarchy() {
    this(java.util.List.of());
  }

  /**
   * A hierarchy that also tells which of {@code roots} (internal names, at most {@link #MAX_ROOTS})
   * a class extends or implements: bit {@link #root}{@code (i)} for {@code roots.get(i)}.
   */
  TypeHierarchy(java.util.List<String> roots) {
    if (roots.size() > MAX_ROOTS) {
      throw new IllegalArgumentException(
          "at most " + MAX_ROOTS + " classes may be declared with their subtypes (Class+)");
    }
    Map<String, Long> bits = new java.util.HashMap<>();
    for (int i = 0; i < roots.size(); i++) {
      bits.merge(roots.get(i), root(i), (a, b) -> a | b);
    }
    this.roots = name -> bits.getOrDefault(name, 0L);
  }

  /**
   * A hierarchy whose root classes {@code roots} tells, as they become known (a library's
   * declarations are read when its first class is met: here, as a super type, possibly).
   */
  TypeHierarchy(Roots roots) {
    this.roots = roots;
  }

  /** The flag of the {@code i}th root class. */
  static long root(int i) {
    return 1L << (FIRST_ROOT_BIT + i);
  }

  /** The flags a type's own name gives (internal name). */
  long own(String name) {
    return roots.rootBits(name) | jdkOwn(name);
  }

  private static long jdkOwn(String name) {
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
  long of(Class<?> type) {
    long flags = 0;
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      flags |= own(c.getName().replace('.', '/')) | interfaces(c, 0);
    }
    return flags;
  }

  private long interfaces(Class<?> type, int depth) {
    long flags = 0;
    if (depth > MAX_DEPTH) {
      return 0;
    }
    for (Class<?> i : type.getInterfaces()) {
      flags |= own(i.getName().replace('.', '/')) | interfaces(i, depth + 1);
    }
    return flags;
  }

  /** The flags of a class being loaded by {@code loader}, from its class file's header. */
  long of(ClassLoader loader, String name, String superName, String[] interfaces) {
    long flags = own(name) | resolve(loader, superName, 0);
    for (String i : interfaces) {
      flags |= resolve(loader, i, 0);
    }
    return flags;
  }

  private long resolve(ClassLoader loader, String name, int depth) {
    if (name == null || name.equals("java/lang/Object") || depth > MAX_DEPTH) {
      return 0;
    }
    long own = own(name);
    if (own != 0 && jdkOwn(name) == own) {
      return own; // a JDK type the flags name: its own flags say all
    }
    // The JDK's types are read as class files too, never loaded from here: a class loaded while a
    // transformer runs is not handed to that transformer (the JVM's instrumentation does not
    // re-enter on the same thread), so loading, say, ThreadPoolExecutor while matching an
    // application's subclass of it would leave it uninstrumented for good.
    if (isJdkName(name)) {
      Long known = jdk.get(name);
      if (known != null) {
        return known;
      }
      byte[] header = read(null, name);
      if (header != null) {
        long flags = own | parse(null, header, depth);
        jdk.put(name, flags);
        return flags;
      }
      // not the JDK's: an application class in a JDK-like package, read as any other
    }
    Map<String, Long> cache = cacheOf(loader);
    Long known = cache.get(name);
    if (known != null) {
      return known;
    }
    byte[] header = read(loader, name);
    long flags = own | (header == null ? 0 : parse(loader, header, depth));
    cache.put(name, flags);
    return flags;
  }

  private long parse(ClassLoader loader, byte[] classFile, int depth) {
    try {
      ClassReader reader = new ClassReader(classFile);
      long flags = resolve(loader, reader.getSuperName(), depth + 1);
      for (String i : reader.getInterfaces()) {
        flags |= resolve(loader, i, depth + 1);
      }
      return flags;
    } catch (RuntimeException malformed) {
      return 0;
    }
  }

  private Map<String, Long> cacheOf(ClassLoader loader) {
    if (loader == null) {
      return bootstrap;
    }
    synchronized (byLoader) {
      Map<String, Long> cache = byLoader.get(loader);
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
