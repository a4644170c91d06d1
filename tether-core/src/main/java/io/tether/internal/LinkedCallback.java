package io.tether.internal;

/**
 * Not public API. Implemented by the wrappers the agent generates around callbacks handed to
 * third-party libraries ({@link Callbacks}): a callback that already is one is not wrapped again,
 * and a task that is one is not wrapped by an executor either.
 */
public interface LinkedCallback {}
