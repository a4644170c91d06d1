package io.tether.benchmarks;

import io.tether.AsyncLocalStorage;

/**
 * The application whose whole-JVM run {@link AgentOverheadRunner} times, with and without each java
 * agent, for the start-up comparison: it touches an {@link AsyncLocalStorage} (so that Tether is
 * loaded, as in any application that uses it) and prints one line, {@value #GREETING}.
 */
public final class HelloWorld {

  static final String GREETING = "hello, world";

  private HelloWorld() {}

  public static void main(String[] args) {
    AsyncLocalStorage<String> storage = new AsyncLocalStorage<>("hello");
    storage.run("world", () -> System.out.println("hello, " + storage.getStore()));
  }
}
