/**
 * The fixtures Tether's modules share in their tests: {@link io.tether.testing.RecordingHook} (an
 * async hook that records its events), {@link io.tether.testing.NoContextLeft} (fails a test that
 * leaves context behind), {@link io.tether.testing.Waits} (bounded waits that fail clearly), {@link
 * io.tether.testing.AgentAttached} (fails tests run without the agent) and {@link
 * io.tether.testing.LibraryVersions} (the version of a third-party library a test runs on).
 *
 * <p>Used at test scope only, and not published. tether-core's tests compile these sources
 * themselves, since this module depends on tether-core.
 */
package io.tether.testing;
