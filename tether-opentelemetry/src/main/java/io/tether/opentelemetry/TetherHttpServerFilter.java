package io.tether.opentelemetry;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * Handles each {@code com.sun.net.httpserver} exchange inside the context its {@code traceparent}
 * and {@code baggage} headers carry; made by {@link TetherPropagation#httpServerFilter()}.
 */
final class TetherHttpServerFilter extends Filter {

  private final TetherPropagation propagation;

  TetherHttpServerFilter(TetherPropagation propagation) {
    this.propagation = propagation;
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    try {
      propagation.call(
          exchange.getRequestHeaders()::getFirst,
          () -> {
            chain.doFilter(exchange);
            return null;
          });
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e); // unreachable: the chain throws only IOException
    }
  }

  @Override
  public String description() {
    return "Tether context from traceparent and baggage headers: " + propagation;
  }
}
