package io.tether.agent;

import com.sun.tools.attach.VirtualMachine;

/**
 * The helper JVM of {@link TetherAgent#install(String)}: attaches the agent jar to the JVM with the
 * given pid, since a JVM may not attach to itself. Arguments: pid, agent jar, options.
 */
final class Attacher {

  private Attacher() {}

  public static void main(String[] args) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(args[0]);
    try {
      vm.loadAgent(args[1], args.length > 2 ? args[2] : "");
    } finally {
      vm.detach();
    }
  }
}
