package io.tether.benchmarks;

/**
 * One request path under measurement by {@link RequestPathCost#measure}: {@link #start} begins
 * request {@code id}, which calls the {@code done} its path was made with when it ends; a stage
 * that saw another request's id (or none) counts as a mismatch.
 */
interface RequestPath {
  void start(int id);

  long mismatches();

  void close() throws Exception;
}
