package io.tether.libraries.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import io.tether.testing.Sightings;

/**
 * A real server channel on 127.0.0.1 (an ephemeral port) and the clients that connect to it, all on
 * one event loop group. The server's reads are I/O that the loop runs on its own, linked to
 * nothing: what they see is the loop thread's own context.
 */
final class Loopback implements AutoCloseable {

  /** What the server's {@code channelRead} saw, one sighting a read. */
  final Sightings serverReads = new Sightings(Netty.REQUEST);

  private final EventLoopGroup group;
  private final Channel server;

  Loopback(EventLoopGroup group) throws InterruptedException {
    this.group = group;
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(Netty.SERVER_CHANNEL)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    channel
                        .pipeline()
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                serverReads.record("read");
                                ReferenceCountUtil.release(msg);
                              }
                            });
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  /** Connects a new client channel to the server. */
  ChannelFuture connect() {
    return new Bootstrap()
        .group(group)
        .channel(Netty.CLIENT_CHANNEL)
        .handler(new ChannelInboundHandlerAdapter())
        .connect(server.localAddress());
  }

  /** Writes one byte on {@code channel}: the server reads it in one read. */
  static ChannelFuture writeOneByte(Channel channel) {
    return channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
  }
}
