package io.tether.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code tether dump PID [-o FILE]}: the flight recording of a running JVM (the agent's {@code
 * flight=DURATION}) written to a file, asked through the attach API and the flight recorder's MBean
 * ({@code io.tether:type=FlightRecorder}).
 */
final class DumpCommand implements Command {

  /** The flight recorder's MBean (tether-recorder's {@code TetherFlight.MBEAN_NAME}). */
  static final String MBEAN = "io.tether:type=FlightRecorder";

  static final Option OUTPUT =
      new Option(
          "--output",
          "-o",
          "FILE",
          "the .jfr file to write (its folder must exist; an\n"
              + "existing file is replaced); without it, a new file in\n"
              + "the JVM's flightDir (its working directory by default)");

  @Override
  public String name() {
    return "dump";
  }

  @Override
  public String summary() {
    return "write the flight recording of a running JVM to a .jfr file";
  }

  @Override
  public String synopsis() {
    return "PID [-o FILE]";
  }

  @Override
  public String description() {
    return "Asks the JVM PID, started with the agent's flight=DURATION option, to write what its\n"
        + "flight recording holds now (the last DURATION of Tether's events and the JDK's) to a\n"
        + ".jfr file, which 'tether report', 'jfr print' and JDK Mission Control read. The JVM\n"
        + "must run as the same user; 'jcmd PID JFR.dump name=tether-flight filename=FILE' does\n"
        + "the same.";
  }

  @Override
  public List<Option> options() {
    return List.of(OUTPUT);
  }

  @Override
  public String notes() {
    return "It prints 'tether: wrote FILE (SIZE)' on standard error.";
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err)
      throws UsageException, Failure, IOException {
    String given = args.single("the pid of a JVM");
    long pid;
    try {
      pid = Long.parseLong(given);
    } catch (NumberFormatException e) {
      throw new UsageException("dump takes the pid of a JVM, a number, not '" + given + "'");
    }
    String o = args.one(OUTPUT);
    OutputFile output = o == null ? null : OutputFile.check(o, "-o");
    if (ProcessHandle.of(pid).isEmpty()) {
      throw new Failure("no process with pid " + pid);
    }
    String written = dump(pid, output == null ? null : output.path().toAbsolutePath().toString());
    OutputFile.check(written, "the dump").confirm(err, null);
    return TetherCli.OK;
  }

  /** Asks JVM {@code pid}'s flight recorder to write its recording; returns the file written. */
  private static String dump(long pid, String file) throws Failure, IOException {
    VirtualMachine vm;
    try {
      vm = VirtualMachine.attach(Long.toString(pid));
    } catch (AttachNotSupportedException e) {
      throw new Failure("cannot attach to pid " + pid + " (" + e.getMessage() + ")");
    }
    try {
      JMXServiceURL url = new JMXServiceURL(vm.startLocalManagementAgent());
      try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
        MBeanServerConnection server = connector.getMBeanServerConnection();
        ObjectName name = new ObjectName(MBEAN);
        Object result =
            file == null
                ? server.invoke(name, "dump", new Object[0], new String[0])
                : server.invoke(
                    name, "dumpToFile", new Object[] {file}, new String[] {String.class.getName()});
        return Path.of((String) result).toString();
      } catch (InstanceNotFoundException e) {
        throw new Failure(
            "pid " + pid + " has no flight recording (start it with -javaagent:...=flight=5m)");
      } catch (JMException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        throw new Failure("pid " + pid + " could not write its flight recording: " + cause);
      }
    } finally {
      vm.detach();
    }
  }
}
