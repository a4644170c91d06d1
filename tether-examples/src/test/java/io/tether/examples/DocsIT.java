package io.tether.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.DocBlocks;
import io.tether.testing.DocBlocks.Block;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The documentation's code is true: the README's program and those of docs/getting-started.md are
 * compiled and run in new JVMs, with and without the agent as the text says, and print what the
 * docs show; every Java and Kotlin block of the docs is named and checked by some module's test
 * (each module compiles the blocks of its own API, with {@link DocBlocks}); every XML block is a
 * well-formed dependency on a module that exists, at this version; every script, command and module
 * a shell block names exists.
 */
@Timeout(300)
class DocsIT {

  private static String agentOption() {
    String jar = System.getProperty("tether.agent.jar");
    assertThat(jar).as("the system property tether.agent.jar (set by the pom)").isNotNull();
    assertThat(Path.of(jar)).as("the agent's jar").isRegularFile();
    // -Xshare:off: the JVM's class data sharing warning (see docs/agent.md) is not the program's.
    return "-javaagent:" + jar;
  }

  private static void assertPrints(String name, String mainClass, String... jvmOptions) {
    Path classes = DocBlocks.compile(name, "%s");
    String expected = DocBlocks.output(name).text() + "\n";
    assertThat(DocBlocks.run(classes, mainClass, jvmOptions))
        .as("what %s (%s) prints", mainClass, DocBlocks.named(name).where())
        .isEqualTo(expected);
  }

  @Test
  void readme_helloPrintsWhatTheReadmeShows() {
    assertPrints("readme-hello", "Hello");
  }

  @Test
  void gettingStarted_firstSteps() {
    assertPrints("getting-started-first", "FirstSteps");
  }

  @Test
  void gettingStarted_pools_withoutAndWithTheAgent() {
    assertPrints("getting-started-pools", "Pools");
    Path classes = DocBlocks.compile("getting-started-pools", "%s");
    assertThat(DocBlocks.run(classes, "Pools", "-Xshare:off", agentOption()))
        .isEqualTo(DocBlocks.output("getting-started-pools-agent").text() + "\n");
  }

  @Test
  void gettingStarted_futuresUnderTheAgent() {
    assertPrints("getting-started-futures", "Futures", "-Xshare:off", agentOption());
  }

  @Test
  void gettingStarted_bindAndSnapshot_withoutAndWithTheAgent() {
    assertPrints("getting-started-bind", "Listeners");
    assertPrints("getting-started-bind", "Listeners", "-Xshare:off", agentOption());
  }

  @Test
  void gettingStarted_ownResourceAndHooks() {
    assertPrints("getting-started-resource", "OwnResource");
  }

  @Test
  void integrations_nativeCallbackCompiles() {
    DocBlocks.compile(
        "integrations-jni",
        """
        import io.tether.AsyncResource;
        import java.util.function.Consumer;

        public class NativeWork {
          %s

          private static native void startNative(Consumer<String> callback, String input);
        }
        """);
  }

  @Test
  void everyJavaAndKotlinBlock_isNamedAndCheckedByATest() throws IOException {
    String tests = testSources();
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Block block : DocBlocks.all()) {
      boolean code = block.language().equals("java") || block.language().equals("kotlin");
      if (code && !block.kind().equals("check")) {
        problems.add(
            block.where()
                + ": a "
                + block.language()
                + " block without <!-- check: NAME --> on the line before it");
      }
      if (block.name().isEmpty()) {
        continue;
      }
      if (!seen.add(block.kind() + ":" + block.name())) {
        problems.add(
            block.where() + ": a second block marked " + block.kind() + ": " + block.name());
      }
      if (!tests.contains("\"" + block.name() + "\"")) {
        problems.add(block.where() + ": no test names \"" + block.name() + "\"");
      }
    }
    assertThat(problems).as("the docs' code blocks").isEmpty();
  }

  @Test
  void everyXmlBlock_isADependencyOnAModuleAtThisVersion() throws Exception {
    Path root = DocBlocks.projectRoot();
    String version = projectVersion(root);
    List<Block> xml = DocBlocks.all().stream().filter(b -> b.language().equals("xml")).toList();
    assertThat(xml).isNotEmpty();
    for (Block block : xml) {
      Document doc =
          DocumentBuilderFactory.newInstance()
              .newDocumentBuilder()
              .parse(new InputSource(new StringReader("<r>" + block.text() + "</r>")));
      NodeList dependencies = doc.getElementsByTagName("dependency");
      for (int i = 0; i < dependencies.getLength(); i++) {
        Element dependency = (Element) dependencies.item(i);
        if (!text(dependency, "groupId").equals("io.tether")) {
          continue;
        }
        String artifact = text(dependency, "artifactId");
        assertThat(root.resolve(artifact).resolve("pom.xml"))
            .as("%s: the module %s", block.where(), artifact)
            .isRegularFile();
        String given = text(dependency, "version");
        if (!given.isEmpty()) {
          assertThat(given).as("%s: the version of %s", block.where(), artifact).isEqualTo(version);
        }
      }
    }
  }

  @Test
  void everyShellBlock_namesScriptsAndModulesThatExist() {
    Path root = DocBlocks.projectRoot();
    Pattern file = Pattern.compile("(?<![\\w/$.-])((?:scripts|bin)/[\\w.-]+)");
    Pattern modules = Pattern.compile("-pl\\s+([\\w/.,-]+)");
    List<String> problems = new ArrayList<>();
    List<Block> shell =
        DocBlocks.all().stream()
            .filter(b -> b.language().equals("sh") || b.language().equals("bash"))
            .toList();
    assertThat(shell).isNotEmpty();
    for (Block block : shell) {
      Matcher f = file.matcher(block.text());
      while (f.find()) {
        if (!Files.isRegularFile(root.resolve(f.group(1)))) {
          problems.add(block.where() + ": no file " + f.group(1));
        }
      }
      Matcher m = modules.matcher(block.text());
      while (m.find()) {
        for (String module : m.group(1).split(",")) {
          if (!Files.isRegularFile(root.resolve(module).resolve("pom.xml"))) {
            problems.add(block.where() + ": no module " + module);
          }
        }
      }
    }
    assertThat(problems).as("the docs' shell blocks").isEmpty();
  }

  private static String text(Element parent, String tag) {
    NodeList nodes = parent.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
  }

  private static String projectVersion(Path root) throws Exception {
    Document pom =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(root.resolve("pom.xml").toFile());
    NodeList children = pom.getDocumentElement().getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element e && e.getTagName().equals("version")) {
        return e.getTextContent().trim();
      }
    }
    throw new AssertionError("no version in the root pom");
  }

  /** Every test source of the project, Java and Kotlin, as one text. */
  private static String testSources() throws IOException {
    Path root = DocBlocks.projectRoot();
    try (Stream<Path> files = Files.walk(root)) {
      List<Path> sources =
          files
              .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
              .filter(p -> p.toString().contains("/src/test/"))
              .filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".kt"))
              .collect(Collectors.toList());
      StringBuilder all = new StringBuilder();
      for (Path source : sources) {
        all.append(Files.readString(source)).append('\n');
      }
      return all.toString();
    }
  }
}
