package io.tether.cli;

/**
 * An option of a command, which takes a value: {@code --name VALUE}, {@code --name=VALUE}, or
 * {@code -x VALUE} when it has a short name.
 *
 * @param name the long name, with its dashes ({@code --output})
 * @param shortName the short name ({@code -o}), or {@code null}
 * @param value what the value is, for the help ({@code FILE})
 * @param description what it does, for the help (lines separated by {@code \n})
 */
record Option(String name, String shortName, String value, String description) {

  /** The option's line(s) in a command's help. */
  String helpLines() {
    String names = (shortName == null ? "    " : shortName + ", ") + name + " " + value;
    StringBuilder lines = new StringBuilder();
    String[] text = description.split("\n");
    for (int i = 0; i < text.length; i++) {
      String left = i == 0 ? names : "";
      lines.append(String.format("  %-28s %s\n", left, text[i]));
    }
    return lines.toString();
  }
}
