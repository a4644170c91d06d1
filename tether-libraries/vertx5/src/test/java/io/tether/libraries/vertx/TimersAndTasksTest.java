package io.tether.libraries.vertx;

/**
 * The shared timer and task tests ({@link TimersAndTasksTestBase}) with Vert.x 5, which adds none.
 */
class TimersAndTasksTest extends TimersAndTasksTestBase {}
