package io.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutputFileUnitTest {

  @Test
  void size_inBytesKilobytesAndMegabytes() {
    assertThat(OutputFile.size(0)).isEqualTo("0 bytes");
    assertThat(OutputFile.size(1)).isEqualTo("1 byte");
    assertThat(OutputFile.size(1023)).isEqualTo("1023 bytes");
    assertThat(OutputFile.size(1024)).isEqualTo("1 KB");
    assertThat(OutputFile.size(146_432)).isEqualTo("143 KB");
    assertThat(OutputFile.size(13_002_342)).isEqualTo("12.4 MB");
  }
}
