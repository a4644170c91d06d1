package io.tether.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * The declarations of third-party async machinery (SPEC section 3.4), read from {@code .links}
 * files: the built-in ones (one per library family, listed in {@code libraries/index} beside this
 * class), those the {@code links=} option names, and every {@code META-INF/tether/links} resource
 * of the system class path. The format is documented in {@code docs/libraries.md}:
 *
 * <pre>
 * alias    io.grpc.netty.shaded.io.netty io.netty
 * callback io.netty.util.concurrent.DefaultPromise#addListener(io.netty.util.concurrent.GenericFutureListener) 0 once
 * task     a.b.Scheduler+#submit(java.lang.Runnable,long) 0 many as SCHEDULED_TASK
 * callback a.b.Client#execute(a.b.Request,a.b.Handler) 1 many except a.b.StreamingHandler
 * threads  a.b.EventLoop#startThread()
 * </pre>
 *
 * Nothing here loads a class: a declaration names classes only, and costs a library that is not on
 * the class path a name lookup per loaded class. A bad line is an {@link IllegalArgumentException}
 * naming the file, the line and what is wrong.
 */
final class Links {

  enum Shape {
    CALLBACK("callback", "CALLBACK"),
    TASK("task", "LIBRARY_TASK"),
    THREADS("threads", null);

    final String keyword;
    final String defaultType;

    Shape(String keyword, String defaultType) {
      this.keyword = keyword;
      this.defaultType = defaultType;
    }
  }

  /** One declaration. */
  static final class Declaration {
    final String where;
    final Shape shape;

    /** Internal name of the class. */
    final String type;

    /** Whether the declaration applies to every subtype of {@link #type} as well. */
    final boolean subtypes;

    final String method;
    final boolean methodPrefix;

    /** The parameters' descriptors between parentheses, or {@code null} for any. */
    final String parameters;

    final int arg;
    final boolean once;
    final String resourceType;

    /** Binary names of the classes whose instances pass unwrapped. */
    final String[] except;

    Declaration(
        String where,
        Shape shape,
        String type,
        boolean subtypes,
        String method,
        boolean methodPrefix,
        String parameters,
        int arg,
        boolean once,
        String resourceType,
        String[] except) {
      this.where = where;
      this.shape = shape;
      this.type = type;
      this.subtypes = subtypes;
      this.method = method;
      this.methodPrefix = methodPrefix;
      this.parameters = parameters;
      this.arg = arg;
      this.once = once;
      this.resourceType = resourceType;
      this.except = except;
    }

    Declaration relocated(String from, String to) {
      String from1 = from.replace('.', '/');
      String to1 = to.replace('.', '/');
      return new Declaration(
          where,
          shape,
          relocate(type, from1, to1),
          subtypes,
          method,
          methodPrefix,
          parameters == null ? null : parameters.replace("L" + from1 + "/", "L" + to1 + "/"),
          arg,
          once,
          resourceType,
          relocateAll(except, from, to));
    }

    private static String[] relocateAll(String[] names, String from, String to) {
      String[] out = new String[names.length];
      for (int i = 0; i < names.length; i++) {
        out[i] =
            names[i].startsWith(from.replace('/', '.') + ".")
                ? to.replace('/', '.') + names[i].substring(from.length())
                : names[i];
      }
      return out;
    }

    private static String relocate(String name, String from, String to) {
      return name.startsWith(from + "/") ? to + name.substring(from.length()) : name;
    }
  }

  private Links() {}

  /**
   * The declarations of third-party libraries these options ask for: the built-in ones, those of
   * the {@code links} files, those on the class path. Called before tether-core is on the bootstrap
   * class path: nothing here may touch a class of tether-core.
   *
   * @throws IllegalArgumentException naming the file, line and fault of a bad declaration
   */
  static List<Declaration> load(AgentOptions options) {
    List<Declaration> links = new ArrayList<>();
    if (options.links() != null) {
      links.addAll(fromFiles(options.links()));
    }
    links.addAll(fromClassPath());
    checkRoots(links);
    return links;
  }

  private static final String BUILT_IN = "libraries/";

  /**
   * Fails, in one line, if more classes are declared with their subtypes ({@code Class+}) than the
   * weaver's matching can tell apart ({@link TypeHierarchy#MAX_ROOTS}).
   */
  static void checkRoots(List<Declaration> links) {
    java.util.Set<String> roots = new java.util.HashSet<>();
    for (Declaration d : links) {
      if (d.subtypes) {
        roots.add(d.type);
      }
    }
    if (roots.size() > TypeHierarchy.MAX_ROOTS) {
      throw new IllegalArgumentException(
          "links: at most "
              + TypeHierarchy.MAX_ROOTS
              + " classes may be declared with their subtypes (Class+), "
              + roots.size()
              + " were");
    }
  }

  /**
   * A built-in declaration file, read and parsed only when the first class under one of its package
   * prefixes (internal names, from the index) is loaded: a library that is not on the class path
   * costs a name check, not the parse.
   */
  static final class Library {
    final String file;
    final String[] prefixes;

    Library(String file, String[] prefixes) {
      this.file = file;
      this.prefixes = prefixes;
    }

    boolean covers(String internalName) {
      for (String prefix : prefixes) {
        if (internalName.startsWith(prefix)) {
          return true;
        }
      }
      return false;
    }

    /** Its declarations (the file is the agent's own: a fault in it is the agent's). */
    List<Declaration> declarations() {
      String text = read(Links.class.getResourceAsStream(BUILT_IN + file), file);
      if (text == null) {
        throw new IllegalArgumentException("built-in links file " + file + " is missing");
      }
      return parse(file, text);
    }
  }

  /**
   * The built-in declaration files the options enable, unread: the index names each with the
   * package prefixes of the classes it declares ({@code netty.links io/netty/ ...}).
   */
  static List<Library> builtInLibraries(AgentOptions options) {
    List<Library> libraries = new ArrayList<>();
    if (!options.enabled(AgentOptions.Family.LIBRARIES)) {
      return libraries;
    }
    String index = readIndex();
    if (index == null) {
      return libraries;
    }
    for (String line : index.split("\n")) {
      String entry = line.strip();
      if (entry.isEmpty() || entry.startsWith("#")) {
        continue;
      }
      String[] words = entry.split(" ");
      libraries.add(new Library(words[0], java.util.Arrays.copyOfRange(words, 1, words.length)));
    }
    return libraries;
  }

  /**
   * The index, read from the agent jar itself when the agent runs from one: a resource lookup asks
   * every module of the JDK's image first, and opening that image's reader costs milliseconds of
   * every start-up.
   */
  private static String readIndex() {
    String name = "io/tether/agent/" + BUILT_IN + "index";
    try {
      Path location =
          Path.of(Links.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(location)) {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(location.toFile())) {
          java.util.jar.JarEntry entry = jar.getJarEntry(name);
          return entry == null ? null : read(jar.getInputStream(entry), name);
        }
      }
    } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
      // read it as a resource below
    }
    return read(Links.class.getResourceAsStream(BUILT_IN + "index"), name);
  }

  /** Every built-in declaration, parsed now (for the tests of the files). */
  static List<Declaration> builtIn() {
    List<Declaration> all = new ArrayList<>();
    for (Library library : builtInLibraries(AgentOptions.parse(""))) {
      all.addAll(library.declarations());
    }
    return all;
  }

  /** The declarations of the files the {@code links=} option names ({@code ;}-separated). */
  static List<Declaration> fromFiles(String files) {
    List<Declaration> all = new ArrayList<>();
    for (String file : files.split(";")) {
      if (file.isBlank()) {
        continue;
      }
      Path path = Path.of(file.strip());
      String text;
      try {
        text = Files.readString(path, StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "option 'links': cannot read " + path + " (" + e.getMessage() + ")");
      }
      all.addAll(parse(path.toString(), text));
    }
    return all;
  }

  /** The declarations of every {@code META-INF/tether/links} on the system class path. */
  static List<Declaration> fromClassPath() {
    List<Declaration> all = new ArrayList<>();
    Enumeration<URL> resources;
    try {
      resources = ClassLoader.getSystemClassLoader().getResources("META-INF/tether/links");
    } catch (IOException e) {
      return all;
    }
    while (resources.hasMoreElements()) {
      URL url = resources.nextElement();
      String text;
      try {
        text = read(url.openStream(), url.toString());
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read links " + url + " (" + e + ")");
      }
      all.addAll(parse(url.toString(), text));
    }
    return all;
  }

  /**
   * The text of {@code in}, lines ended by {@code \n}. Decoded whole, not through a {@code Reader}:
   * its decoder classes are milliseconds of every start-up.
   */
  private static String read(InputStream in, String what) {
    if (in == null) {
      return null;
    }
    try (in) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.indexOf('\r') < 0 ? text : text.replace("\r\n", "\n").replace('\r', '\n');
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read links " + what + " (" + e + ")");
    }
  }

  /** The declarations of one file's text; {@code source} names it in errors. */
  static List<Declaration> parse(String source, String text) {
    List<Declaration> declarations = new ArrayList<>();
    List<String[]> aliases = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String where = "links " + source + " line " + (i + 1);
      String line = lines[i];
      // '#' also separates class and method: a comment starts at a '#' after whitespace only.
      int comment = line.strip().startsWith("#") ? 0 : commentStart(line);
      if (comment >= 0) {
        line = line.substring(0, comment);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] words = withoutSpacesInParentheses(line).split("\\s+");
      try {
        if (words[0].equals("alias")) {
          if (words.length != 3) {
            throw new IllegalArgumentException(
                "alias takes two package prefixes (alias RELOCATED ORIGINAL)");
          }
          checkName(words[1], "relocated prefix");
          checkName(words[2], "original prefix");
          aliases.add(new String[] {words[1], words[2]});
          continue;
        }
        declarations.add(declaration(where, words));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            where + ": " + AgentOptions.printable(e.getMessage() + ": " + line.strip()));
      }
    }
    List<Declaration> all = new ArrayList<>(declarations);
    for (String[] alias : aliases) {
      for (Declaration d : declarations) {
        Declaration copy = d.relocated(alias[1], alias[0]);
        if (!copy.type.equals(d.type)) {
          all.add(copy);
        }
      }
    }
    return all;
  }

  /** {@code line} with the white space between parentheses removed ({@code (a.B, long)}). */
  private static String withoutSpacesInParentheses(String line) {
    StringBuilder out = new StringBuilder(line.length());
    int depth = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (depth > 0 && Character.isWhitespace(c)) {
        continue;
      }
      out.append(c);
    }
    return out.toString();
  }

  /** Where a trailing comment starts: a {@code #} preceded by whitespace, or -1. */
  private static int commentStart(String line) {
    for (int i = 1; i < line.length(); i++) {
      if (line.charAt(i) == '#' && Character.isWhitespace(line.charAt(i - 1))) {
        return i;
      }
    }
    return -1;
  }

  private static Declaration declaration(String where, String[] words) {
    Shape shape = null;
    for (Shape s : Shape.values()) {
      if (s.keyword.equals(words[0])) {
        shape = s;
      }
    }
    if (shape == null) {
      throw new IllegalArgumentException(
          "unknown declaration '" + words[0] + "' (accepted: alias, callback, task, threads)");
    }
    if (words.length < 2) {
      throw new IllegalArgumentException("missing Class#method(parameters)");
    }
    String target = words[1];
    int hash = target.indexOf('#');
    int open = target.indexOf('(');
    if (hash <= 0 || open < hash || !target.endsWith(")")) {
      throw new IllegalArgumentException("expected Class#method(parameters), was '" + target + "'");
    }
    String className = target.substring(0, hash);
    boolean subtypes = className.endsWith("+");
    if (subtypes) {
      className = className.substring(0, className.length() - 1);
    }
    checkName(className, "class name");
    String method = target.substring(hash + 1, open);
    boolean prefix = method.endsWith("*");
    if (prefix) {
      method = method.substring(0, method.length() - 1);
    }
    if (method.equals("<init>") || method.equals("<clinit>")) {
      throw new IllegalArgumentException(
          "constructors cannot be declared (the agent weaves no entry code into them)");
    }
    if (method.isEmpty() && !prefix || !method.isEmpty() && !isIdentifier(method)) {
      throw new IllegalArgumentException("'" + method + "' is not a method name");
    }
    String parameterList = target.substring(open + 1, target.length() - 1).strip();
    String parameters = null;
    int count = -1;
    if (!parameterList.equals("..")) {
      StringBuilder descriptor = new StringBuilder();
      count = 0;
      if (!parameterList.isEmpty()) {
        for (String p : parameterList.split(",", -1)) {
          descriptor.append(descriptor(p.strip()));
          count++;
        }
      }
      parameters = descriptor.toString();
    }
    if (shape == Shape.THREADS) {
      if (words.length != 2) {
        throw new IllegalArgumentException("threads takes nothing after the method");
      }
      return new Declaration(
          where,
          shape,
          internal(className),
          subtypes,
          method,
          prefix,
          parameters,
          -1,
          false,
          null,
          new String[0]);
    }
    if (words.length < 4) {
      throw new IllegalArgumentException(
          shape.keyword + " needs the argument's index and once or many after the method");
    }
    int arg;
    try {
      arg = Integer.parseInt(words[2]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("argument index '" + words[2] + "' is not a number");
    }
    if (arg < 0 || count >= 0 && arg >= count) {
      throw new IllegalArgumentException(
          "argument index "
              + arg
              + " is out of range ("
              + (count < 0 ? "negative" : "the method has " + count + " parameters")
              + ")");
    }
    if (parameters != null) {
      String argDescriptor = nth(parameters, arg);
      if (argDescriptor.length() == 1) {
        throw new IllegalArgumentException(
            "argument " + arg + " is a primitive (" + argDescriptor + "): only objects are linked");
      }
    }
    boolean once;
    if (words[3].equals("once")) {
      once = true;
    } else if (words[3].equals("many")) {
      once = false;
    } else {
      throw new IllegalArgumentException("expected once or many, was '" + words[3] + "'");
    }
    String resourceType = shape.defaultType;
    String[] except = new String[0];
    for (int w = 4; w < words.length; w += 2) {
      if (w + 1 >= words.length || !words[w].equals("as") && !words[w].equals("except")) {
        throw new IllegalArgumentException(
            "after once or many only 'as RESOURCE_TYPE' and 'except CLASS,CLASS' may follow, was '"
                + String.join(" ", java.util.Arrays.copyOfRange(words, w, words.length))
                + "'");
      }
      if (words[w].equals("as")) {
        resourceType = words[w + 1];
        if (!resourceType.matches("[A-Z][A-Z0-9_]*")) {
          throw new IllegalArgumentException(
              "resource type '" + resourceType + "' is not UPPER_SNAKE_CASE");
        }
      } else {
        except = words[w + 1].split(",", -1);
        for (String name : except) {
          checkName(name, "class name");
        }
      }
    }
    return new Declaration(
        where,
        shape,
        internal(className),
        subtypes,
        method,
        prefix,
        parameters,
        arg,
        once,
        resourceType,
        except);
  }

  /** The {@code n}th descriptor of a concatenation of parameter descriptors. */
  private static String nth(String descriptors, int n) {
    int i = 0;
    for (int k = 0; ; k++) {
      int start = i;
      while (descriptors.charAt(i) == '[') {
        i++;
      }
      if (descriptors.charAt(i) == 'L') {
        i = descriptors.indexOf(';', i);
      }
      i++;
      if (k == n) {
        return descriptors.substring(start, i);
      }
    }
  }

  private static String internal(String className) {
    return className.replace('.', '/');
  }

  private static String descriptor(String javaType) {
    int dims = 0;
    String base = javaType;
    while (base.endsWith("[]")) {
      dims++;
      base = base.substring(0, base.length() - 2).strip();
    }
    if (base.endsWith("...")) {
      dims++;
      base = base.substring(0, base.length() - 3).strip();
    }
    String d;
    switch (base) {
      case "boolean":
        d = "Z";
        break;
      case "byte":
        d = "B";
        break;
      case "char":
        d = "C";
        break;
      case "short":
        d = "S";
        break;
      case "int":
        d = "I";
        break;
      case "long":
        d = "J";
        break;
      case "float":
        d = "F";
        break;
      case "double":
        d = "D";
        break;
      default:
        if (base.isEmpty()) {
          throw new IllegalArgumentException("empty parameter type");
        }
        checkName(base, "parameter type");
        d = "L" + internal(base) + ";";
    }
    return "[".repeat(dims) + d;
  }

  private static void checkName(String name, String what) {
    for (String part : name.split("\\.", -1)) {
      if (!isIdentifier(part)) {
        throw new IllegalArgumentException("'" + name + "' is not a " + what);
      }
    }
  }

  private static boolean isIdentifier(String s) {
    if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      if (!Character.isJavaIdentifierPart(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
