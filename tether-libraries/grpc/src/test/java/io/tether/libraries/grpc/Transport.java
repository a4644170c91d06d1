package io.tether.libraries.grpc;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The transports the tests run on: in-process, and Netty (gRPC's shaded copy) on 127.0.0.1. */
enum Transport {
  IN_PROCESS,
  NETTY;

  /** A started server with one service, and a channel to it. */
  static final class Rig implements AutoCloseable {
    final Server server;
    final ManagedChannel channel;

    Rig(Server server, ManagedChannel channel) {
      this.server = server;
      this.channel = channel;
    }

    @Override
    public void close() {
      channel.shutdownNow();
      server.shutdownNow();
      try {
        if (!channel.awaitTermination(10, TimeUnit.SECONDS)
            || !server.awaitTermination(10, TimeUnit.SECONDS)) {
          throw new AssertionError("gRPC channel or server did not terminate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted closing the gRPC channel and server", e);
      }
    }
  }

  /**
   * Starts a server with {@code service} and a channel to it.
   *
   * @param directClient whether the channel runs callbacks on the thread that delivers them ({@code
   *     directExecutor()}) instead of its default executor
   */
  Rig start(ServerServiceDefinition service, boolean directClient) {
    try {
      Server server;
      ManagedChannelBuilder<?> channel;
      if (this == IN_PROCESS) {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(service).build().start();
        channel = InProcessChannelBuilder.forName(name);
      } else {
        server =
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service)
                .build()
                .start();
        channel =
            NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", server.getPort()))
                .usePlaintext();
      }
      if (directClient) {
        channel.directExecutor();
      }
      return new Rig(server, channel.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
