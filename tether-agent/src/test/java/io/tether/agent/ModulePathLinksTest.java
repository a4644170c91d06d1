package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncLocalStorage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A declared library that is a named module on the module path, as Netty, Vert.x and gRPC are when
 * an application is modular: the module neither reads tether-core nor opens its packages. The agent
 * makes the woven module read tether-core and opens the callback's package to define the wrapper
 * there (the library's own listener class is package-private; the wrapper's first version failed
 * there, a private lookup into another module having no MODULE mode to hand on). The library and
 * the application are compiled here and run in a JVM of their own, with the declaration given by
 * the {@code links} option.
 */
@Timeout(120)
class ModulePathLinksTest {

  private static final String AGENT =
      System.getProperty("tether.agent.jar", "target/tether-agent.jar");

  private static final Map<String, String> LIBRARY =
      Map.of(
          "module-info.java",
          "module fake.lib { exports fake.lib; }",
          "fake/lib/Listener.java",
          "package fake.lib; public interface Listener { void done(String value); }",
          "fake/lib/Promise.java",
          """
          package fake.lib;
          import java.util.ArrayList;
          import java.util.List;
          public final class Promise {
            private final List<Listener> listeners = new ArrayList<>();
            public synchronized void addListener(Listener listener) { listeners.add(listener); }
            public void complete(String value) {
              List<Listener> now;
              synchronized (this) { now = new ArrayList<>(listeners); }
              for (Listener listener : now) { listener.done(value); }
            }
          }
          """,
          "fake/lib/Listeners.java",
          """
          package fake.lib;
          import java.util.function.Consumer;
          public final class Listeners {
            private Listeners() {}
            /** A listener of the library's own, package-private class. */
            public static Listener forwarding(Consumer<String> to) { return new Forward(to); }
            static final class Forward implements Listener {
              private final Consumer<String> to;
              Forward(Consumer<String> to) { this.to = to; }
              @Override public void done(String value) { to.accept(value); }
            }
          }
          """);

  private static final Map<String, String> APPLICATION =
      Map.of(
          "app/Main.java",
          """
          package app;
          import fake.lib.Listeners;
          import fake.lib.Promise;
          import io.tether.AsyncLocalStorage;
          import java.util.concurrent.ConcurrentLinkedQueue;
          public final class Main {
            static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>();
            public static void main(String[] args) throws Exception {
              System.out.println("module " + Promise.class.getModule().getName());
              ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
              Promise a = new Promise();
              Promise b = new Promise();
              REQUEST.run("a", () -> a.addListener(
                  Listeners.forwarding(v -> seen.add("library's listener " + v + "@" + REQUEST.getStore()))));
              REQUEST.run("b", () -> b.addListener(
                  v -> seen.add("application's listener " + v + "@" + REQUEST.getStore())));
              Thread completer = new Thread(() -> {
                REQUEST.run("b", () -> a.complete("A"));
                REQUEST.run("a", () -> b.complete("B"));
              });
              completer.start();
              completer.join();
              seen.forEach(System.out::println);
              System.out.println("after: " + REQUEST.getStore());
            }
          }
          """,
          "app/InLayer.java",
          """
          package app;
          import io.tether.AsyncLocalStorage;
          import java.lang.module.Configuration;
          import java.lang.module.ModuleFinder;
          import java.nio.file.Path;
          import java.util.Set;
          import java.util.concurrent.ConcurrentLinkedQueue;
          import java.util.function.Consumer;
          /** The library in a module layer of its own, as plugin systems load modules. */
          public final class InLayer {
            static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>();
            public static void main(String[] args) throws Exception {
              ModuleLayer boot = ModuleLayer.boot();
              Configuration config = boot.configuration()
                  .resolve(ModuleFinder.of(Path.of(args[0])), ModuleFinder.of(), Set.of("fake.lib"));
              ModuleLayer layer = boot.defineModulesWithOneLoader(config, ClassLoader.getSystemClassLoader());
              ClassLoader loader = layer.findLoader("fake.lib");
              Class<?> promiseClass = loader.loadClass("fake.lib.Promise");
              Class<?> listenerClass = loader.loadClass("fake.lib.Listener");
              System.out.println("module " + promiseClass.getModule().getName()
                  + (promiseClass.getModule().getLayer() == layer ? " in its own layer" : ""));
              ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
              Object promise = promiseClass.getConstructor().newInstance();
              Consumer<String> record = v -> seen.add("library's listener " + v + "@" + REQUEST.getStore());
              Object listener = loader.loadClass("fake.lib.Listeners")
                  .getMethod("forwarding", Consumer.class).invoke(null, record);
              REQUEST.run("a", () -> {
                try {
                  promiseClass.getMethod("addListener", listenerClass).invoke(promise, listener);
                } catch (ReflectiveOperationException e) {
                  throw new IllegalStateException(e.getCause());
                }
              });
              Thread completer = new Thread(() -> REQUEST.run("b", () -> {
                try {
                  promiseClass.getMethod("complete", String.class).invoke(promise, "A");
                } catch (ReflectiveOperationException e) {
                  throw new IllegalStateException(e.getCause());
                }
              }));
              completer.start();
              completer.join();
              seen.forEach(System.out::println);
              System.out.println("after: " + REQUEST.getStore());
            }
          }
          """);

  private Path links;
  private Path mods;
  private Path app;
  private String core;

  @BeforeEach
  void compile(@TempDir Path dir) throws Exception {
    mods = dir.resolve("mods");
    app = dir.resolve("app");
    core = classPathRoot(AsyncLocalStorage.class);
    compile(write(dir.resolve("lib-src"), LIBRARY), mods.resolve("fake.lib"), List.of());
    compile(
        write(dir.resolve("app-src"), APPLICATION),
        app,
        List.of("-cp", mods.resolve("fake.lib") + File.pathSeparator + core));
    links = dir.resolve("fake.links");
    Files.writeString(
        links,
        "callback fake.lib.Promise#addListener(fake.lib.Listener) 0 once\n",
        StandardCharsets.UTF_8);
  }

  @Test
  void libraryOnTheModulePath_callsBackInTheRegistrationsContext() throws Exception {
    assertThat(
            java(
                "--module-path",
                mods.toString(),
                "--add-modules",
                "fake.lib",
                "-cp",
                app + File.pathSeparator + core,
                "app.Main"))
        .containsExactly(
            "module fake.lib",
            "library's listener A@a",
            "application's listener B@b",
            "after: null");
  }

  /**
   * A module of a layer made at run time does not read the boot loader's unnamed module (modules of
   * the boot layer do when an agent is loaded): the woven library is made to read tether-core.
   */
  @Test
  void libraryInALayerOfItsOwn_callsBackInTheRegistrationsContext() throws Exception {
    assertThat(java("-cp", app + File.pathSeparator + core, "app.InLayer", mods.toString()))
        .containsExactly(
            "module fake.lib in its own layer", "library's listener A@a", "after: null");
  }

  private List<String> java(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:off",
                "-javaagent:" + AGENT + "=links=" + links));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out.strip().lines().toList();
  }

  private static Path write(Path root, Map<String, String> sources) throws Exception {
    for (Map.Entry<String, String> source : sources.entrySet()) {
      Path file = root.resolve(source.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue(), StandardCharsets.UTF_8);
    }
    return root;
  }

  private static void compile(Path sources, Path out, List<String> options) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-nowarn"));
    args.addAll(options);
    try (var files = Files.walk(sources)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
    }
    assertThat(javac.run(null, null, null, args.toArray(String[]::new)))
        .as("javac " + args)
        .isZero();
  }

  /**
   * The jar or folder {@code type} is loaded from, found through its class file's resource (under
   * the agent tether-core is on the boot class path, where classes have no code source).
   */
  private static String classPathRoot(Class<?> type) throws Exception {
    String name = type.getName().replace('.', '/') + ".class";
    java.net.URL url = ClassLoader.getSystemResource(name);
    assertThat(url).as(name).isNotNull();
    String text = url.toString();
    if (url.getProtocol().equals("jar")) {
      return Path.of(new java.net.URI(text.substring("jar:".length(), text.indexOf("!/"))))
          .toString();
    }
    return Path.of(new java.net.URI(text.substring(0, text.length() - name.length()))).toString();
  }
}
