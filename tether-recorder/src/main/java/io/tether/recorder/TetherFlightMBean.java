package io.tether.recorder;

import java.io.IOException;

/**
 * The flight recorder's JMX interface, {@code io.tether:type=FlightRecorder}: what {@code tether
 * dump PID}, JConsole or any JMX client calls.
 */
public interface TetherFlightMBean {

  /**
   * Writes what the recording holds now to a new file in the dump folder.
   *
   * @return the file's absolute path
   * @throws IOException if it cannot be written
   */
  String dump() throws IOException;

  /**
   * Writes what the recording holds now to {@code path}.
   *
   * @param path the file to write, replaced if it exists
   * @return the file's absolute path
   * @throws IOException if it cannot be written
   */
  String dumpToFile(String path) throws IOException;

  /**
   * How far back the recording reaches.
   *
   * @return seconds
   */
  long getMaxAgeSeconds();

  /**
   * The roots of work (values of the root storage) with resources not yet destroyed.
   *
   * @return how many
   */
  int getRootsInFlight();
}
