package io.tether.agent;

import io.tether.internal.CallSiteIds;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Call sites resolved once per site, for the recorders: installed only when the agent starts one
 * ({@code trace=FILE}, {@code flight=}, {@code jfr=}, {@code jfrContext=}), this transformer gives
 * every call of the application's that may link async work a number ({@link CallSiteIds}: its
 * class, method and line, from the class file) when the class is loaded, and weaves {@code
 * WovenCalls.siteEnter(number)} before the call and {@code WovenCalls.siteExit()} after it. The
 * trace recorder and {@code TetherJfr} then take a resource's call site from the thread's state
 * instead of walking the stack at every {@code init}.
 *
 * <p>Which calls: in the application's classes (not the JDK's, not Tether's, not the libraries
 * Tether knows, whose calls belong to the application line that called them), calls of the JDK's
 * linking methods by name (an executor's {@code execute}, {@code submit} and {@code schedule}
 * family, {@code CompletableFuture}'s and {@code CompletionStage}'s, a thread's {@code start}, fork
 * and join tasks, {@code HttpClient.sendAsync}, the asynchronous channels, streams' terminal
 * operations) and every call of a known library's classes. A resource linked where no marked call
 * is in progress (the libraries' own threads, a class loaded before the agent) gets its call site
 * by the stack walk, as before. Marks are made at first load only (this transformer does not take
 * part in retransformation), so they stay through the weaver's retransformations.
 *
 * <p>What a mark cannot tell: a callback that a marked call runs inline, without a resource of its
 * own (an executor of the application's that is a lambda, say), is inside that call until its own
 * first marked call; a resource the JDK links for it meanwhile through a call not marked
 * (reflection, a method handle) is given the outer call's site. A callback with a resource of its
 * own is not: the recorder clears the site at every {@code before} and {@code after}.
 */
final class CallSiteMarker implements ClassFileTransformer {

  private static final String WOVEN = "io/tether/internal/WovenCalls";

  /** The libraries whose code is not marked, and every call into which is. */
  private static final String[] LIBRARIES = {
    "io/netty/",
    "io/vertx/",
    "io/grpc/",
    "kotlin/",
    "kotlinx/",
    "org/asynchttpclient/",
    "org/apache/hc/",
    "org/eclipse/jetty/",
    "com/google/common/",
    "io/opentelemetry/",
    "reactor/",
    "io/reactivex/",
    "org/springframework/",
    "com/fasterxml/",
    "org/slf4j/",
    "ch/qos/logback/",
    "org/apache/logging/",
    "org/junit/",
    "org/assertj/",
    "org/objectweb/asm/",
    "net/bytebuddy/",
    "com/alibaba/ttl/"
  };

  /** The JDK's methods that link async work, by name, whatever the class they are called on. */
  private static final Set<String> LINKING =
      Set.of(
          "execute",
          "submit",
          "invokeAll",
          "invokeAny",
          "schedule",
          "scheduleAtFixedRate",
          "scheduleWithFixedDelay",
          "start",
          "startVirtualThread",
          "unstarted",
          "fork",
          "invoke",
          "send",
          "sendAsync",
          "supplyAsync",
          "runAsync");

  /** Terminal operations of {@code java.util.stream}: a parallel stream forks there. */
  private static final Set<String> STREAM_TERMINALS =
      Set.of(
          "forEach",
          "forEachOrdered",
          "collect",
          "reduce",
          "toArray",
          "toList",
          "min",
          "max",
          "count",
          "sum",
          "average",
          "summaryStatistics",
          "anyMatch",
          "allMatch",
          "noneMatch",
          "findFirst",
          "findAny");

  private final Instrumentation inst;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  CallSiteMarker(Instrumentation inst) {
    this.inst = inst;
  }

  /** Installs the marker for the classes loaded from now on. */
  static void install(Instrumentation inst) {
    inst.addTransformer(new CallSiteMarker(inst), false);
  }

  @Override
  public byte[] transform(
      Module module,
      ClassLoader loader,
      String name,
      Class<?> redefined,
      ProtectionDomain domain,
      byte[] bytes) {
    if (name == null
        || loader == null
        || redefined != null
        || !application(name)
        || fromAgentJar(domain)) {
      return null;
    }
    try {
      byte[] marked = mark(name, bytes);
      if (marked != null && module != null && module.isNamed()) {
        Weaver.letRead(inst, module);
      }
      return marked;
    } catch (Throwable t) {
      if (reported.add(name)) {
        System.err.println(
            "tether-agent: could not mark the call sites of "
                + name.replace('/', '.')
                + " ("
                + t
                + "); its resources get theirs from the stack");
      }
      return null;
    }
  }

  /** Where the agent's own classes come from, on the system class path. */
  private static final java.net.URL AGENT_JAR =
      codeSource(CallSiteMarker.class.getProtectionDomain());

  private static java.net.URL codeSource(ProtectionDomain domain) {
    java.security.CodeSource source = domain == null ? null : domain.getCodeSource();
    return source == null ? null : source.getLocation();
  }

  /** Whether the class is the agent's own (its code and what it shades). */
  private static boolean fromAgentJar(ProtectionDomain domain) {
    java.net.URL location = codeSource(domain);
    return location != null && location.equals(AGENT_JAR);
  }

  /** Whether the class {@code name} (internal form) is the application's own. */
  static boolean application(String name) {
    if (TypeHierarchy.isJdkName(name) || tether(name) || name.contains("$$")) {
      return false;
    }
    return !library(name);
  }

  /**
   * Tether's API, internals and recorder by name, whose frames are not call sites either ({@code
   * CallSites.isInternal}; the agent's own classes are told by their jar); Tether's other modules
   * (its tools, examples and benchmarks) are application code like any other.
   */
  private static boolean tether(String name) {
    return name.startsWith("io/tether/agent/shaded/")
        || name.startsWith("io/tether/internal/")
        || name.startsWith("io/tether/recorder/")
        || name.startsWith("io/tether/") && name.indexOf('/', 10) < 0;
  }

  private static boolean library(String name) {
    for (String prefix : LIBRARIES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a call of {@code owner.method} may link async work. */
  static boolean marks(String owner, String method) {
    if (owner.startsWith("java/util/concurrent/CompletableFuture")
        || owner.equals("java/util/concurrent/CompletionStage")) {
      return !method.startsWith("get")
          && !method.startsWith("is")
          && !method.equals("join")
          && !method.equals("obtrudeValue")
          && !method.equals("obtrudeException")
          && !method.equals("toString");
    }
    if (owner.startsWith("java/util/stream/")) {
      return STREAM_TERMINALS.contains(method);
    }
    if (owner.startsWith("java/nio/channels/Asynchronous")) {
      return method.equals("read")
          || method.equals("write")
          || method.equals("accept")
          || method.equals("connect");
    }
    return LINKING.contains(method) || library(owner);
  }

  /** {@code bytes} with its linking calls marked, or {@code null} if it has none. */
  static byte[] mark(String name, byte[] bytes) {
    ClassReader reader = new ClassReader(bytes);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    String className = name.replace('/', '.');
    boolean[] changed = new boolean[1];
    reader.accept(
        new ClassVisitor(Weaver.ASM_API, writer) {
          private String source;

          @Override
          public void visitSource(String file, String debug) {
            source = file;
            super.visitSource(file, debug);
          }

          @Override
          public MethodVisitor visitMethod(
              int access, String method, String descriptor, String signature, String[] exceptions) {
            MethodVisitor next =
                super.visitMethod(access, method, descriptor, signature, exceptions);
            return new MethodVisitor(Weaver.ASM_API, next) {
              private int line;
              private int onLine;

              @Override
              public void visitLineNumber(int number, org.objectweb.asm.Label start) {
                line = number;
                onLine = 0;
                super.visitLineNumber(number, start);
              }

              @Override
              public void visitMethodInsn(
                  int opcode, String owner, String callee, String desc, boolean itf) {
                if (!marks(owner, callee)) {
                  super.visitMethodInsn(opcode, owner, callee, desc, itf);
                  return;
                }
                int site = CallSiteIds.register(className, method, source, line, onLine++);
                super.visitLdcInsn(site);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, WOVEN, "siteEnter", "(I)V", false);
                super.visitMethodInsn(opcode, owner, callee, desc, itf);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, WOVEN, "siteExit", "()V", false);
                changed[0] = true;
              }
            };
          }
        },
        0);
    return changed[0] ? writer.toByteArray() : null;
  }
}
