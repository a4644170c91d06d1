package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent jar as built: small, its ASM relocated and given stack map frames (fast to verify at
 * every start: {@link StackMapFrames}), and none of the trace tools in it.
 */
@Timeout(60)
class AgentJarTest {

  private static final Path AGENT =
      Path.of(System.getProperty("tether.agent.jar", "target/tether-agent.jar"));

  @Test
  void agentJar_isSmall_andHoldsNoToolsNorUnrelocatedLibraries() throws Exception {
    assertThat(Files.size(AGENT)).as("agent jar bytes").isLessThanOrEqualTo(600 * 1024);
    List<String> names = new ArrayList<>();
    forEachEntry((name, bytes) -> names.add(name));
    assertThat(names)
        .contains("io/tether/agent/TetherAgent.class", "tether-kotlin/tether-kotlin.jar")
        // The project's licence and notice, with ASM's licence (BSD-3-Clause: a binary copy
        // reproduces it).
        .contains("META-INF/LICENSE", "META-INF/NOTICE")
        .noneMatch(n -> n.startsWith("io/tether/kotlin/")) // nested only, never loaded from here
        .anyMatch(n -> n.startsWith("io/tether/agent/shaded/asm/"))
        .anyMatch(n -> n.startsWith("io/tether/agent/shaded/recorder/"))
        .noneMatch(n -> n.startsWith("org/objectweb/") || n.startsWith("net/bytebuddy/"))
        .noneMatch(n -> n.startsWith("io/tether/trace/") || n.contains("/shaded/trace/"))
        .noneMatch(n -> n.endsWith("module-info.class"));
  }

  @Test
  void relocatedAsm_isJava8ClassFilesWithFrames() throws Exception {
    List<String> withoutFrames = new ArrayList<>();
    int[] classes = {0};
    forEachEntry(
        (name, bytes) -> {
          if (name.startsWith("io/tether/agent/shaded/asm/") && name.endsWith(".class")) {
            classes[0]++;
            int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
            if (major < 52) {
              withoutFrames.add(name + " (class file version " + major + ")");
            }
          }
        });
    assertThat(classes[0]).isGreaterThan(20);
    assertThat(withoutFrames).as("ASM classes the old verifier would check").isEmpty();
  }

  private interface EntryVisitor {
    void visit(String name, byte[] bytes) throws Exception;
  }

  private static void forEachEntry(EntryVisitor visitor) throws Exception {
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(AGENT))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        visitor.visit(e.getName(), in.readAllBytes());
      }
    }
  }
}
