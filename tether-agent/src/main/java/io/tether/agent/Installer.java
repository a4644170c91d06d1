package io.tether.agent;

import static net.bytebuddy.matcher.ElementMatchers.isBootstrapClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.tether.AgentSupport;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Builds one ByteBuddy agent from the enabled {@link BoundaryInstrumentation}s and installs it,
 * retransforming the JDK classes that are already loaded.
 */
final class Installer {

  private Installer() {}

  static List<BoundaryInstrumentation> all() {
    return List.of(
        new ThreadPoolInstrumentation(),
        new ExecutorInstrumentation(),
        new ForkJoinInstrumentation(),
        new FutureInstrumentation(),
        new ThreadInstrumentation(),
        new TimerInstrumentation(),
        new HttpClientInstrumentation(),
        new NioInstrumentation());
  }

  static void install(Instrumentation inst, AgentOptions options) {
    letJdkModulesReadTether(inst);
    disableNexus();
    Listener listener = new Listener(options.debug());
    // Beside other agents (an OpenTelemetry or TransmittableThreadLocal agent before or after this
    // one), a class may reach this agent already transformed, with interfaces added that
    // reflection hides (OpenTelemetry filters its own from Class.getInterfaces()) and whose class
    // files no class loader serves. So: each class is described from the class file as handed to
    // this agent, never by reflection, or retransforming it would drop those interfaces and the JVM
    // would refuse the class; only declared methods are described (they are all this agent
    // instruments), not the full method graph over every super type; and a batch of loaded classes
    // that the JVM refuses to retransform is split until the refused class is alone, so that it
    // does not take the others with it.
    List<BoundaryInstrumentation> enabled = new java.util.ArrayList<>();
    ElementMatcher.Junction<TypeDescription> jdkTargets = none();
    for (BoundaryInstrumentation boundary : all()) {
      if (options.enabled(boundary.family())) {
        enabled.add(boundary);
        jdkTargets = jdkTargets.or(boundary.jdkTypes());
      }
    }
    AgentBuilder builder = new AgentBuilder.Default(
            new ByteBuddy().with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE))
        .disableClassFormatChanges()
        .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(new AgentBuilder.RedefinitionStrategy.DiscoveryStrategy.Explicit(
            loadedCandidates(inst, jdkTargets)))
        .with(new AgentBuilder.RedefinitionStrategy.Listener.Compound(
            AgentBuilder.RedefinitionStrategy.Listener.BatchReallocator.splitting(), listener))
        .with(AgentBuilder.InjectionStrategy.Disabled.INSTANCE)
        .with((AgentBuilder.Listener) listener)
        // Ignored by name alone, before any class file is parsed: the JDK's types but the few the
        // enabled instrumentations transform, Tether itself (on the bootstrap loader; the
        // application's own io.tether.* classes, examples and tests, are instrumented), ByteBuddy,
        // and lambdas (hidden classes, which cannot be retransformed).
        .ignore(nameStartsWith("io.tether.").and(not(nameStartsWith("io.tether.agent."))),
            isBootstrapClassLoader())
        .or(nameStartsWith("java.").or(nameStartsWith("jdk.")).or(nameStartsWith("sun."))
            .or(nameStartsWith("com.sun.")).and(not(jdkTargets)))
        .or(nameStartsWith("io.tether.agent.shaded.").or(nameStartsWith("net.bytebuddy."))
            .or(nameContains("$$Lambda")));
    for (BoundaryInstrumentation boundary : enabled) {
      builder = boundary.extend(builder);
    }
    builder.installOn(inst);
  }

  /**
   * The classes already loaded that an instrumentation may transform, picked by name alone: at
   * {@code -javaagent} time these are a handful of JDK classes, and letting ByteBuddy describe every
   * loaded class to find them would cost most of the agent's start-up.
   */
  private static Set<Class<?>> loadedCandidates(Instrumentation inst,
      ElementMatcher<TypeDescription> jdkTargets) {
    Set<Class<?>> candidates = new java.util.HashSet<>();
    for (Class<?> type : inst.getAllLoadedClasses()) {
      String name = type.getName();
      if (type.isArray() || type.isPrimitive() || !inst.isModifiableClass(type)
          || name.contains("$$Lambda") || name.startsWith("io.tether.agent.")
          || name.startsWith("io.tether.") && type.getClassLoader() == null) {
        continue;
      }
      boolean jdk = name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")
          || name.startsWith("com.sun.");
      if (!jdk || jdkTargets.matches(TypeDescription.ForLoadedType.of(type))) {
        candidates.add(type);
      }
    }
    return candidates;
  }

  /**
   * The agent only inlines advice, so ByteBuddy's Nexus (which initialises types through injected
   * code, and on JDK 24+ prints {@code sun.misc.Unsafe} warnings while setting up) is not needed.
   * The property is ByteBuddy's own, under its relocated package name, so it concerns only the
   * copy inside this agent.
   */
  private static void disableNexus() {
    String root = AgentBuilder.class.getPackageName().replace(".agent.builder", "");
    String property = root + ".nexus.disabled";
    if (System.getProperty(property) == null) {
      System.setProperty(property, "true");
    }
  }

  /**
   * Code woven into JDK modules calls {@link AgentSupport}, which lives in the bootstrap loader's
   * unnamed module: those modules must read it.
   */
  private static void letJdkModulesReadTether(Instrumentation inst) {
    Module tether = AgentSupport.class.getModule();
    for (String name : List.of("java.base", "java.net.http")) {
      ModuleLayer.boot().findModule(name).ifPresent(module -> inst.redefineModule(
          module, Set.of(tether), Map.of(), Map.of(), Set.of(), Map.of()));
    }
  }

  /** Reports each class that could not be instrumented once; the application runs on. */
  private static final class Listener extends AgentBuilder.Listener.Adapter
      implements AgentBuilder.RedefinitionStrategy.Listener {
    private final boolean debug;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    Listener(boolean debug) {
      this.debug = debug;
    }

    @Override
    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module,
        boolean loaded, DynamicType dynamicType) {
      if (debug) {
        System.err.println("tether-agent: instrumented " + type.getName());
      }
    }

    @Override
    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
        Throwable error) {
      if (reported.add(typeName)) {
        System.err.println("tether-agent: could not instrument " + typeName + " (" + error
            + "); it runs uninstrumented");
      }
    }

    @Override
    public void onBatch(int index, List<Class<?>> batch, List<Class<?>> types) {}

    /** A loaded class the JVM refused to retransform (reported once split down to itself). */
    @Override
    public Iterable<? extends List<Class<?>>> onError(int index, List<Class<?>> batch,
        Throwable throwable, List<Class<?>> types) {
      if (batch.size() == 1) {
        onError(batch.get(0).getName(), batch.get(0).getClassLoader(), null, true, throwable);
      }
      return java.util.Collections.emptyList();
    }

    @Override
    public void onComplete(int amount, List<Class<?>> types,
        Map<List<Class<?>>, Throwable> failures) {}
  }
}
