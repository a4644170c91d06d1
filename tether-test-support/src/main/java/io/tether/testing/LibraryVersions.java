package io.tether.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.security.CodeSource;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

/**
 * The version of a third-party library a test runs on, read from the manifest of the jar that a
 * class of it was loaded from. An integration module's build runs its tests once per tested version
 * of a library (swapping the jars on the test class path) and names the version each run expects in
 * a system property; {@link #assertRunsOn(String, Class[])} fails a run whose swap went wrong.
 *
 * <pre>{@code
 * @Test
 * void runsOnTheLogbackThisBuildNames() {
 *   LibraryVersions.assertRunsOn("tether.test.logback.version", LoggerContext.class, Context.class);
 * }
 * }</pre>
 */
public final class LibraryVersions {

  private LibraryVersions() {}

  /**
   * Returns the version of the jar {@code type} was loaded from: its manifest's {@code
   * Implementation-Version}, else its {@code Bundle-Version} (without the {@code .RELEASE} suffix
   * that some projects put there).
   *
   * @param type a class of the library
   * @return the library's version
   * @throws IllegalStateException if the class comes from no jar, or its manifest names no version
   */
  public static String of(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source == null) {
      throw new IllegalStateException(type.getName() + " was not loaded from a jar");
    }
    URL jar = source.getLocation();
    Manifest manifest;
    try (InputStream in = jar.openStream();
        JarInputStream jarIn = new JarInputStream(in)) {
      manifest = jarIn.getManifest();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the manifest of " + jar, e);
    }
    if (manifest != null) {
      Attributes main = manifest.getMainAttributes();
      String version = main.getValue(Attributes.Name.IMPLEMENTATION_VERSION);
      if (version == null) {
        version = main.getValue("Bundle-Version");
      }
      if (version != null) {
        return version.endsWith(".RELEASE")
            ? version.substring(0, version.length() - ".RELEASE".length())
            : version;
      }
    }
    throw new IllegalStateException("the manifest of " + jar + " names no version");
  }

  /**
   * Asserts that each class was loaded from a jar of the version that the system property {@code
   * property} names (set by the build for each test run).
   *
   * @param property the system property holding the expected version
   * @param types one class of each jar to check
   * @throws AssertionError if the property is not set, or a jar is of another version
   */
  public static void assertRunsOn(String property, Class<?>... types) {
    String expected = System.getProperty(property);
    assertThat(expected).as("system property %s (set by the build)", property).isNotBlank();
    for (Class<?> type : types) {
      assertThat(of(type)).as("version of the jar of %s", type.getName()).isEqualTo(expected);
    }
  }
}
