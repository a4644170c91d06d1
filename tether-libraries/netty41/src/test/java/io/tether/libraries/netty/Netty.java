package io.tether.libraries.netty;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutorGroup;
import io.tether.AsyncLocalStorage;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * What the Netty tests share (those in netty-shared, which both Netty modules compile): the storage
 * they propagate, and Netty 4.1's way to make an NIO event loop group (the one thing the Netty 4.2
 * module writes differently, in its own copy of this class).
 */
final class Netty {

  static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

  static final Class<? extends ServerChannel> SERVER_CHANNEL = NioServerSocketChannel.class;
  static final Class<? extends Channel> CLIENT_CHANNEL = NioSocketChannel.class;

  private Netty() {}

  static EventLoopGroup newGroup(int threads) {
    return new NioEventLoopGroup(threads);
  }

  static EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
    return new NioEventLoopGroup(threads, threadFactory);
  }

  /** Shuts the group down now (no quiet period) and waits for its threads to end. */
  static void shutdown(EventExecutorGroup group) throws InterruptedException {
    if (!group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("event loop group did not terminate: " + group);
    }
  }
}
