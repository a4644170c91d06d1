package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * The parser of links files (the in-house declarations under {@code libraries/}, users' {@code
 * META-INF/tether/links}) on any text: declarations, or an {@link IllegalArgumentException} of one
 * line that names the file and the line; never another exception. The seeds are declarations in the
 * form of the built-in files. Under {@code mvn verify} these run the inputs kept in {@code
 * LinksFuzzTestInputs} (the seeds and every crash found); {@code scripts/fuzz.sh} fuzzes them.
 */
class LinksFuzzTest {

  @FuzzTest
  @Timeout(10)
  void parse_anyText(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    List<Links.Declaration> declarations;
    try {
      declarations = Links.parse("fuzz.links", text);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).matches("links fuzz\\.links line [1-9][0-9]*: .*");
      assertThat(e.getMessage()).doesNotContain("\n", "\r");
      return;
    }
    for (Links.Declaration d : declarations) {
      assertThat(d.where).startsWith("links fuzz.links line ");
      assertThat(d.type).isNotEmpty();
    }
  }
}
