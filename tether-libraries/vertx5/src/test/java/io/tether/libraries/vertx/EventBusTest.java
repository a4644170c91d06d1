package io.tether.libraries.vertx;

/** The shared event-bus tests ({@link EventBusTestBase}) with Vert.x 5, which adds none. */
class EventBusTest extends EventBusTestBase {}
