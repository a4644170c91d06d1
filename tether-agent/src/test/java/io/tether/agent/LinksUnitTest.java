package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The links format: what a declaration says, and the one line a bad one gets. */
class LinksUnitTest {

  @Test
  void callback_parsesClassMethodParametersArgumentAndType() {
    List<Links.Declaration> d =
        Links.parse(
            "x.links",
            "# comment\n\n"
                + "callback a.b.Promise#addListener(a.b.Listener, long) 0 once as PROMISE_LISTENER"
                + "   # trailing comment\n");
    assertThat(d).hasSize(1);
    Links.Declaration c = d.get(0);
    assertThat(c.shape).isEqualTo(Links.Shape.CALLBACK);
    assertThat(c.type).isEqualTo("a/b/Promise");
    assertThat(c.subtypes).isFalse();
    assertThat(c.method).isEqualTo("addListener");
    assertThat(c.parameters).isEqualTo("La/b/Listener;J");
    assertThat(c.arg).isZero();
    assertThat(c.once).isTrue();
    assertThat(c.resourceType).isEqualTo("PROMISE_LISTENER");
  }

  @Test
  void subtypesWildcardsArraysAndDefaults() {
    List<Links.Declaration> d =
        Links.parse(
            "x.links",
            "task a.Loop+#submit*(..) 1 many\n"
                + "callback a.P#add(a.L[],a.Outer$Inner...) 0 once\n"
                + "threads a.Loop#start()\n");
    assertThat(d.get(0).subtypes).isTrue();
    assertThat(d.get(0).methodPrefix).isTrue();
    assertThat(d.get(0).parameters).isNull();
    assertThat(d.get(0).resourceType).isEqualTo("LIBRARY_TASK");
    assertThat(d.get(1).parameters).isEqualTo("[La/L;[La/Outer$Inner;");
    assertThat(d.get(1).resourceType).isEqualTo("CALLBACK");
    assertThat(d.get(1).except).isEmpty();
    assertThat(d.get(2).shape).isEqualTo(Links.Shape.THREADS);
    assertThat(d.get(2).parameters).isEmpty();
  }

  @Test
  void except_namesTheClassesWhoseInstancesPassUnwrapped() {
    Links.Declaration d =
        Links.parse("x.links", "callback a.C#e(a.R,a.H) 1 many except a.Streaming,a.Upgrade as X\n")
            .get(0);
    assertThat(d.except).containsExactly("a.Streaming", "a.Upgrade");
    assertThat(d.resourceType).isEqualTo("X");
  }

  @Test
  void alias_copiesEveryDeclarationUnderTheOriginalPrefixToTheRelocatedOne() {
    List<Links.Declaration> d =
        Links.parse(
            "n.links",
            "alias shaded.io.netty io.netty\n"
                + "callback io.netty.P#add(io.netty.L) 0 once\n"
                + "threads other.Loop#start()\n");
    assertThat(d)
        .extracting(x -> x.type)
        .containsExactly("io/netty/P", "other/Loop", "shaded/io/netty/P");
    assertThat(d.get(2).parameters).isEqualTo("Lshaded/io/netty/L;");
  }

  @Test
  void tooManySubtypeRoots_failInOneLine() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i <= TypeHierarchy.MAX_ROOTS; i++) {
      text.append("callback a.C").append(i).append("+#m(a.L) 0 once\n");
    }
    List<Links.Declaration> many = Links.parse("many.links", text.toString());
    assertThatThrownBy(() -> Links.checkRoots(many))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "links: at most "
                + TypeHierarchy.MAX_ROOTS
                + " classes may be declared with their subtypes (Class+), "
                + (TypeHierarchy.MAX_ROOTS + 1)
                + " were");
    Links.checkRoots(many.subList(0, TypeHierarchy.MAX_ROOTS));
    Links.checkRoots(Links.builtIn());
  }

  /**
   * A built-in file is read when the first class under one of its index prefixes loads: a class it
   * declares outside them would never be woven.
   */
  @Test
  void builtInLibraries_declareOnlyClassesUnderTheirIndexPrefixes() {
    List<Links.Library> libraries = Links.builtInLibraries(AgentOptions.parse(""));
    assertThat(libraries).extracting(l -> l.file).contains("netty.links", "vertx.links");
    for (Links.Library library : libraries) {
      assertThat(library.prefixes).as(library.file).isNotEmpty();
      for (Links.Declaration d : library.declarations()) {
        assertThat(library.covers(d.type)).as(library.file + ": " + d.type).isTrue();
      }
    }
    assertThat(Links.builtInLibraries(AgentOptions.parse("libraries=false"))).isEmpty();
  }

  /**
   * The built-in declarations are read when their library's first class is met, not at start; a
   * subclass met first (its super type read from the class file) reads them as well.
   */
  @Test
  void builtInDeclarations_areReadWhenTheirLibrarysFirstClassIsMet() {
    Boundaries boundaries =
        new Boundaries(
            AgentOptions.parse(""), List.of(), Links.builtInLibraries(AgentOptions.parse("")));
    assertThat(boundaries.libraryTypes).isEmpty();
    assertThat(boundaries.libraryRoots).isEmpty();
    boundaries.ensure("com/acme/Unrelated");
    assertThat(boundaries.libraryRoots).isEmpty();
    long bits = boundaries.rootBits("io/vertx/core/impl/future/FutureBase");
    assertThat(bits).isNotZero();
    assertThat(boundaries.libraryRoots).contains("io/vertx/core/impl/future/FutureBase");
    assertThat(boundaries.libraryTypes).containsKey("io/vertx/core/impl/VertxImpl");
    assertThat(boundaries.libraryTypes.keySet()).noneMatch(k -> k.startsWith("io/grpc/"));
  }

  /**
   * What the libraries' links need at run time is installed before their first declaration takes
   * effect, once, and not while no library (and no kotlinx class) is met.
   */
  @Test
  void libraryMachinery_startsOnceWithTheFirstLibraryMet() {
    java.util.concurrent.atomic.AtomicInteger started =
        new java.util.concurrent.atomic.AtomicInteger();
    Boundaries boundaries =
        new Boundaries(
            AgentOptions.parse(""),
            List.of(),
            Links.builtInLibraries(AgentOptions.parse("")),
            started::incrementAndGet);
    boundaries.ensure("com/acme/Unrelated");
    boundaries.ensure("java/util/concurrent/ThreadPoolExecutor");
    assertThat(started).hasValue(0);
    boundaries.ensure("io/netty/util/concurrent/DefaultPromise");
    assertThat(started).hasValue(1);
    boundaries.ensure("io/grpc/stub/ClientCalls");
    assertThat(started).hasValue(1);

    java.util.concurrent.atomic.AtomicInteger kotlin =
        new java.util.concurrent.atomic.AtomicInteger();
    Boundaries coroutinesOnly =
        new Boundaries(
            AgentOptions.parse("libraries=false"), List.of(), List.of(), kotlin::incrementAndGet);
    coroutinesOnly.ensure("kotlin/Unit");
    assertThat(kotlin).hasValue(0);
    coroutinesOnly.ensure("kotlinx/coroutines/CoroutineContextKt");
    assertThat(kotlin).hasValue(1);

    java.util.concurrent.atomic.AtomicInteger declared =
        new java.util.concurrent.atomic.AtomicInteger();
    new Boundaries(
        AgentOptions.parse(""),
        Links.parse("test", "callback com.acme.Client#send(com.acme.Listener) 0 once\n"),
        List.of(),
        declared::incrementAndGet);
    assertThat(declared).hasValue(1);
  }

  @Test
  void badLines_nameFileLineAndFault() {
    assertBad("listen a.B#c(a.D) 0 once", "unknown declaration 'listen'");
    assertBad("callback a.B.c(a.D) 0 once", "expected Class#method(parameters)");
    assertBad("callback a.B#c(a.D) x once", "argument index 'x' is not a number");
    assertBad("callback a.B#c(a.D) 1 once", "argument index 1 is out of range");
    assertBad("callback a.B#c(int) 0 once", "argument 0 is a primitive (I)");
    assertBad("callback a.B#c(a.D) 0 twice", "expected once or many, was 'twice'");
    assertBad("callback a.B#c(a.D) 0", "needs the argument's index and once or many");
    assertBad("callback a.B#<init>(a.D) 0 once", "constructors cannot be declared");
    assertBad(
        "callback a.B#c(a.D) 0 once as lower", "resource type 'lower' is not UPPER_SNAKE_CASE");
    assertBad("callback a.B#c(a.D) 0 once extra", "only 'as RESOURCE_TYPE' and 'except");
    assertBad("callback a.B#c(a.D) 0 once except", "only 'as RESOURCE_TYPE' and 'except");
    assertBad("callback a.B#c(a.D) 0 once except a.X,", "'' is not a class name");
    assertBad("threads a.B#c() 0", "threads takes nothing after the method");
    assertBad("callback a..B#c(a.D) 0 once", "'a..B' is not a class name");
    assertBad("callback a.B#c(a.D,) 0 once", "empty parameter type");
    assertBad("alias a", "alias takes two package prefixes");
  }

  private static void assertBad(String line, String fault) {
    assertThatThrownBy(() -> Links.parse("in-house.links", "# first\n" + line + "\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("links in-house.links line 2: ")
        .hasMessageContaining(fault)
        .hasMessageEndingWith(": " + line);
  }
}
