package io.tether.opentelemetry;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Objects;

/**
 * A servlet filter ({@code jakarta.servlet}, Servlet 5 and later: Jetty 12 ee10, Tomcat 10+) that
 * handles each request inside the context its {@code traceparent} and {@code baggage} headers
 * carry, as {@link TetherPropagation#call} describes.
 *
 * <pre>{@code
 * ServletContextHandler handler = new ServletContextHandler();
 * handler.addFilter(new FilterHolder(new TetherServletFilter(PROPAGATION)), "/*",
 *     EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * <p>Cautions:
 *
 * <ul>
 *   <li>The context covers the filter chain's synchronous part. Work a servlet starts with {@code
 *       startAsync} carries it only where Tether links that work (the agent's pools, stages,
 *       threads); the container's own async dispatch does not.
 *   <li>Non-HTTP requests pass through untouched.
 * </ul>
 */
public final class TetherServletFilter implements Filter {

  private final TetherPropagation propagation;

  /**
   * Creates the filter.
   *
   * @param propagation which storages travel and the limits on incoming headers
   */
  public TetherServletFilter(TetherPropagation propagation) {
    this.propagation = Objects.requireNonNull(propagation, "propagation");
  }

  /** Runs the rest of the chain inside the request's incoming context, restoring it afterwards. */
  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest)) {
      chain.doFilter(request, response);
      return;
    }
    HttpServletRequest http = (HttpServletRequest) request;
    try {
      propagation.call(
          http::getHeader,
          () -> {
            chain.doFilter(request, response);
            return null;
          });
    } catch (IOException | ServletException | RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new ServletException(e); // unreachable: the chain throws only the above
    }
  }
}
