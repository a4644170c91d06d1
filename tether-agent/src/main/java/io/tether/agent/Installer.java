package io.tether.agent;

import io.tether.AsyncLocalStorage;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Installs the {@link Weaver} and retransforms the classes already loaded that it changes.
 *
 * <p>Start-up is what this is built for: the classes to retransform are picked by name (the JDK's)
 * and reflection (the application's executors and threads), never by parsing every loaded class,
 * and the weaving is plain ASM on the class file, so installing loads a few dozen classes and takes
 * a few tens of milliseconds. What only third-party libraries need is installed when the first of
 * them is met.
 */
final class Installer {

  private Installer() {}

  static void install(
      Instrumentation inst,
      AgentOptions options,
      List<Links.Declaration> links,
      List<Links.Library> libraries) {
    letJdkModulesReadTether(inst);
    Boundaries boundaries =
        new Boundaries(
            options,
            links,
            libraries,
            new LibraryMachinery(inst, options.enabled(AgentOptions.Family.COROUTINES)));
    Weaver weaver = new Weaver(boundaries, options.debug());
    weaver.modules(inst);
    inst.addTransformer(weaver, true);
    List<Class<?>> loaded = new ArrayList<>();
    for (Class<?> type : inst.getAllLoadedClasses()) {
      if (inst.isModifiableClass(type) && weaver.wants(type)) {
        loaded.add(type);
      }
    }
    retransform(inst, weaver, loaded);
  }

  /**
   * What third-party libraries' links need at run time: the generator of callback wrappers and, for
   * Kotlin, the coroutine context element. Installed when the first declaration of a library is
   * read ({@link Boundaries}), not at start: a JVM without those libraries never loads it.
   */
  private static final class LibraryMachinery implements Runnable {
    private final Instrumentation inst;
    private final boolean coroutines;

    LibraryMachinery(Instrumentation inst, boolean coroutines) {
      this.inst = inst;
      this.coroutines = coroutines;
    }

    @Override
    public void run() {
      CallbackClasses.install(inst);
      if (coroutines) {
        io.tether.internal.Coroutines.install(new KotlinSupport(inst));
      }
    }
  }

  /**
   * Retransforms {@code types} in one call; if the JVM refuses (one class another agent made
   * unmodifiable, say), one by one, so that the refused class does not take the others with it.
   */
  private static void retransform(Instrumentation inst, Weaver weaver, List<Class<?>> types) {
    if (types.isEmpty()) {
      return;
    }
    try {
      inst.retransformClasses(types.toArray(new Class<?>[0]));
    } catch (Throwable batch) {
      for (Class<?> type : types) {
        try {
          inst.retransformClasses(type);
        } catch (Throwable refused) {
          weaver.report(type.getName(), refused);
        }
      }
    }
  }

  /**
   * Code woven into JDK modules calls {@code io.tether.internal.WovenCalls}, which lives with the
   * rest of tether-core in the bootstrap loader's unnamed module: those modules must read it.
   */
  private static void letJdkModulesReadTether(Instrumentation inst) {
    Module tether = AsyncLocalStorage.class.getModule();
    for (String name : new String[] {"java.base", "java.net.http"}) {
      Module module = ModuleLayer.boot().findModule(name).orElse(null);
      if (module != null) {
        inst.redefineModule(module, Set.of(tether), Map.of(), Map.of(), Set.of(), Map.of());
      }
    }
  }
}
