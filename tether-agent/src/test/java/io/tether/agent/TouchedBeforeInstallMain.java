package io.tether.agent;

import io.tether.AsyncLocalStorage;

/**
 * Run by {@link AgentInstallTest} in a JVM of its own, without {@code -javaagent}, with tether-core
 * on the class path: its static storage loads Tether's classes before {@code main} installs the
 * agent, which must refuse with one line saying what to do.
 */
public final class TouchedBeforeInstallMain {

  static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

  private TouchedBeforeInstallMain() {}

  public static void main(String[] args) {
    TetherAgent.install();
    System.out.println("after install: " + REQUEST.getStore());
  }
}
