package io.tether.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;

/**
 * Kotlin coroutines under the agent ({@code io.tether.internal.Coroutines}): for the class loader
 * of kotlinx, tether-kotlin's {@code AgentSupport}, which adds Tether's coroutine context element
 * to every new coroutine. Where that loader does not see tether-kotlin (the application does not
 * depend on it), the classes of the tether-kotlin jar the agent nests are defined in it, once, so
 * that they see exactly the kotlinx and Kotlin of the application. A loader where this fails is
 * reported once; its coroutines run without the element.
 */
final class KotlinSupport implements Function<Class<?>, BiFunction<Object, Object, Object>> {

  static final String NESTED = "tether-kotlin/tether-kotlin.jar";
  static final String SUPPORT = "io.tether.kotlin.AgentSupport";

  private final Instrumentation inst;
  private final Map<ClassLoader, BiFunction<Object, Object, Object>> byLoader =
      Collections.synchronizedMap(new WeakHashMap<>());

  KotlinSupport(Instrumentation inst) {
    this.inst = inst;
  }

  @Override
  public BiFunction<Object, Object, Object> apply(Class<?> contextClass) {
    ClassLoader loader = contextClass.getClassLoader();
    if (loader == null) {
      return null;
    }
    synchronized (byLoader) {
      if (byLoader.containsKey(loader)) {
        return byLoader.get(loader);
      }
      BiFunction<Object, Object, Object> support = load(loader);
      byLoader.put(loader, support);
      return support;
    }
  }

  @SuppressWarnings("unchecked")
  private BiFunction<Object, Object, Object> load(ClassLoader loader) {
    try {
      Class<?> support;
      try {
        support = Class.forName(SUPPORT, true, loader);
      } catch (ClassNotFoundException notThere) {
        inject(loader);
        support = Class.forName(SUPPORT, true, loader);
      }
      return (BiFunction<Object, Object, Object>) support.getConstructor().newInstance();
    } catch (Throwable t) {
      System.err.println(
          "tether-agent: cannot support Kotlin coroutines of class loader "
              + loader
              + " ("
              + t
              + "); their coroutines run without Tether's context element");
      return null;
    }
  }

  /** Defines the nested tether-kotlin classes in {@code loader}, super types first. */
  private void inject(ClassLoader loader) throws Exception {
    Map<String, byte[]> classes = nestedClasses();
    Module self = KotlinSupport.class.getModule();
    Module base = Object.class.getModule();
    if (!base.isOpen("java.lang", self)) {
      inst.redefineModule(
          base, Set.of(), Map.of(), Map.of("java.lang", Set.of(self)), Set.of(), Map.of());
    }
    Method define =
        ClassLoader.class.getDeclaredMethod(
            "defineClass",
            String.class,
            byte[].class,
            int.class,
            int.class,
            ProtectionDomain.class);
    define.setAccessible(true);
    List<String> pending = new ArrayList<>(classes.keySet());
    while (!pending.isEmpty()) {
      List<String> failed = new ArrayList<>();
      Throwable last = null;
      for (String name : pending) {
        byte[] bytes = classes.get(name);
        try {
          define.invoke(loader, name, bytes, 0, bytes.length, null);
        } catch (InvocationTargetException e) {
          if (e.getCause() instanceof NoClassDefFoundError) {
            failed.add(name); // a super type of ours not defined yet: next round
            last = e.getCause();
          } else if (!(e.getCause() instanceof LinkageError)) { // LinkageError: already there
            throw e;
          }
        }
      }
      if (failed.size() == pending.size()) {
        throw new IllegalStateException("cannot define " + failed, last);
      }
      pending = failed;
    }
  }

  private static Map<String, byte[]> nestedClasses() throws IOException {
    Map<String, byte[]> classes = new LinkedHashMap<>();
    InputStream nested = KotlinSupport.class.getResourceAsStream("/" + NESTED);
    if (nested == null) {
      throw new IOException(NESTED + " is missing from the agent jar");
    }
    try (JarInputStream jar = new JarInputStream(nested)) {
      for (JarEntry e = jar.getNextJarEntry(); e != null; e = jar.getNextJarEntry()) {
        String name = e.getName();
        if (name.endsWith(".class") && !name.contains("module-info")) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          jar.transferTo(out);
          classes.put(name.substring(0, name.length() - 6).replace('/', '.'), out.toByteArray());
        }
      }
    }
    return classes;
  }
}
