package io.tether.opentelemetry;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.tether.AsyncLocalStorage;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Carries chosen Tether storages, and OpenTelemetry's current span, to the next service as W3C
 * {@code baggage} and {@code traceparent} headers, and back into those storages on the server side.
 *
 * <p>Each chosen {@code AsyncLocalStorage<String>} travels as one baggage entry keyed by its
 * {@linkplain AsyncLocalStorage#name() name}; the headers are written and read by OpenTelemetry's
 * {@link W3CTraceContextPropagator} and {@link W3CBaggagePropagator}. Clients: {@link
 * #inject(HttpRequest.Builder)} or {@link #wrap(HttpClient)}. Servers: {@link #httpServerFilter()}
 * for {@code com.sun.net.httpserver}, {@link TetherServletFilter} for servlet containers, or {@link
 * #call} for anything else.
 *
 * <pre>{@code
 * static final AsyncLocalStorage<String> TENANT = new AsyncLocalStorage<>("tenant");
 * static final TetherPropagation PROPAGATION = TetherPropagation.builder().baggage(TENANT).build();
 *
 * server.createContext("/", handler).getFilters().add(PROPAGATION.httpServerFilter());
 * HttpClient client = PROPAGATION.wrap(HttpClient.newHttpClient());
 * TENANT.run("acme", () -> client.sendAsync(request, ofString()));   // carries baggage: tenant=acme
 * }</pre>
 *
 * <p>Cautions:
 *
 * <ul>
 *   <li>Incoming headers are untrusted. A {@code baggage} header longer than {@link
 *       Builder#maxHeaderLength} or with more than {@link Builder#maxBaggageEntries} entries is
 *       dropped whole; a malformed {@code traceparent} is dropped (the request starts a new trace);
 *       a baggage entry whose key names no chosen storage is dropped, so it neither sets a storage
 *       nor travels further. Each is counted in {@link #rejected(Rejection)}, and the request is
 *       served with what remained valid.
 *   <li>Only the chosen storages travel; their names must be W3C baggage keys (HTTP tokens).
 *   <li>Values are visible to every hop downstream: do not choose storages holding secrets.
 * </ul>
 */
public final class TetherPropagation {

  /** Why part of an incoming request's headers was ignored. */
  public enum Rejection {
    /** A {@code traceparent} that is not a valid W3C trace context. */
    TRACEPARENT_MALFORMED,
    /** A {@code baggage} header longer than the limit; dropped whole. */
    BAGGAGE_TOO_LONG,
    /** A {@code baggage} header with more entries than the limit; dropped whole. */
    BAGGAGE_TOO_MANY_ENTRIES,
    /** A baggage entry whose key names no chosen storage; that entry dropped. */
    BAGGAGE_ENTRY_NOT_CHOSEN
  }

  /** The W3C {@code traceparent} header name. */
  public static final String TRACEPARENT = "traceparent";

  /** The W3C {@code baggage} header name. */
  public static final String BAGGAGE = "baggage";

  /**
   * Longer {@code traceparent}s than this are malformed whatever their content (version 00 is 55).
   */
  private static final int MAX_TRACEPARENT_LENGTH = 256;

  private static final TextMapSetter<BiConsumer<String, String>> SETTER =
      (carrier, key, value) -> carrier.accept(key, value);

  // Only get: the W3C propagators never call keys() (deprecated, defaults to none).
  private static final TextMapGetter<Map<String, String>> GETTER =
      (carrier, key) -> carrier == null ? null : carrier.get(key);

  private final List<AsyncLocalStorage<String>> storages;
  private final Map<String, AsyncLocalStorage<String>> byName;
  private final int maxHeaderLength;
  private final int maxBaggageEntries;
  private final Map<Rejection, LongAdder> rejections = new EnumMap<>(Rejection.class);

  private TetherPropagation(Builder builder) {
    this.storages = List.copyOf(builder.storages);
    Map<String, AsyncLocalStorage<String>> names = new LinkedHashMap<>();
    for (AsyncLocalStorage<String> storage : storages) {
      names.put(storage.name(), storage);
    }
    this.byName = Collections.unmodifiableMap(names);
    this.maxHeaderLength = builder.maxHeaderLength;
    this.maxBaggageEntries = builder.maxBaggageEntries;
    for (Rejection r : Rejection.values()) {
      rejections.put(r, new LongAdder());
    }
  }

  /**
   * Returns a builder with no chosen storage, a {@code baggage} limit of 8192 characters and 64
   * entries.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Writes the current context's headers through {@code header}: {@code traceparent} when a valid
   * span is current, {@code baggage} with OpenTelemetry's current baggage plus each chosen storage
   * that has a value here.
   *
   * @param header receives each header's name and value
   */
  public void inject(BiConsumer<String, String> header) {
    Objects.requireNonNull(header, "header");
    Context current = Context.current();
    BaggageBuilder baggage = Baggage.fromContext(current).toBuilder();
    for (AsyncLocalStorage<String> storage : storages) {
      String value = storage.getStore();
      if (value != null) {
        baggage.put(storage.name(), value);
      }
    }
    Context outgoing = current.with(baggage.build());
    W3CTraceContextPropagator.getInstance().inject(outgoing, header, SETTER);
    W3CBaggagePropagator.getInstance().inject(outgoing, header, SETTER);
  }

  /**
   * Sets the current context's headers on {@code request} (see {@link #inject(BiConsumer)}),
   * replacing any it already had.
   *
   * @param request the request being built, on the thread whose context should travel
   * @return {@code request}
   */
  public HttpRequest.Builder inject(HttpRequest.Builder request) {
    inject(request::setHeader);
    return request;
  }

  /**
   * Returns a client whose {@code send} and {@code sendAsync} add the calling context's headers to
   * each request; every other method delegates to {@code client}.
   *
   * @param client the client to send through
   * @return the propagating client
   */
  public HttpClient wrap(HttpClient client) {
    return new PropagatingHttpClient(Objects.requireNonNull(client, "client"), this);
  }

  /**
   * Returns a {@code com.sun.net.httpserver} filter that handles each exchange inside the context
   * its headers carry (see {@link #call}).
   *
   * @return a filter to add to an {@code HttpContext}'s filters
   */
  public com.sun.net.httpserver.Filter httpServerFilter() {
    return new TetherHttpServerFilter(this);
  }

  /**
   * Runs {@code handling} with each chosen storage set to its incoming baggage entry (absent
   * entries leave the storage empty, not inherited) and the incoming trace and baggage as
   * OpenTelemetry's current context; everything is restored afterwards, also when {@code handling}
   * throws.
   *
   * @param header returns an incoming header's value by lower-case name, or {@code null}
   * @param handling the request's handling
   * @param <R> the result type
   * @return what {@code handling} returns
   * @throws Exception what {@code handling} throws
   */
  @SuppressWarnings("try") // the scope is only closed, never read
  public <R> R call(Function<String, String> header, Callable<R> handling) throws Exception {
    Objects.requireNonNull(handling, "handling");
    Map<String, String> valid = new LinkedHashMap<>(4);
    Context extracted = extract(header, valid);
    try (Scope ignored = extracted.makeCurrent()) {
      return callWith(0, valid, handling);
    }
  }

  /**
   * Returns how many times an incoming header or entry was ignored for {@code reason}.
   *
   * @param reason the reason
   * @return the count since this propagation was built
   */
  public long rejected(Rejection reason) {
    return rejections.get(reason).sum();
  }

  /**
   * Returns how many times an incoming header or entry was ignored, for any reason.
   *
   * @return the total count since this propagation was built
   */
  public long rejected() {
    long sum = 0;
    for (LongAdder adder : rejections.values()) {
      sum += adder.sum();
    }
    return sum;
  }

  /** Returns the chosen storages' names, in the order given to the builder. */
  @Override
  public String toString() {
    return "TetherPropagation" + byName.keySet();
  }

  /** Each chosen storage in turn, so that every {@code run} scope nests and unwinds in order. */
  private <R> R callWith(int index, Map<String, String> values, Callable<R> handling)
      throws Exception {
    if (index == storages.size()) {
      return handling.call();
    }
    AsyncLocalStorage<String> storage = storages.get(index);
    return storage.call(values.get(storage.name()), () -> callWith(index + 1, values, handling));
  }

  /**
   * Validates, then extracts with OpenTelemetry's propagators; fills {@code values} per storage.
   */
  private Context extract(Function<String, String> header, Map<String, String> values) {
    Map<String, String> carrier = new LinkedHashMap<>(4);
    String traceparent = header.apply(TRACEPARENT);
    if (traceparent != null) {
      carrier.put(TRACEPARENT, traceparent);
      String tracestate = header.apply("tracestate");
      if (tracestate != null && tracestate.length() <= maxHeaderLength) {
        carrier.put("tracestate", tracestate);
      }
    }
    String baggageHeader = header.apply(BAGGAGE);
    if (baggageHeader != null) {
      if (baggageHeader.length() > maxHeaderLength) {
        reject(Rejection.BAGGAGE_TOO_LONG);
      } else if (entries(baggageHeader) > maxBaggageEntries) {
        reject(Rejection.BAGGAGE_TOO_MANY_ENTRIES);
      } else {
        carrier.put(BAGGAGE, baggageHeader);
      }
    }

    Context context = Context.root();
    if (traceparent != null) {
      Context withTrace =
          traceparent.length() <= MAX_TRACEPARENT_LENGTH
              ? W3CTraceContextPropagator.getInstance().extract(context, carrier, GETTER)
              : context;
      if (Span.fromContext(withTrace).getSpanContext().isValid()) {
        context = withTrace;
      } else {
        reject(Rejection.TRACEPARENT_MALFORMED);
      }
    }
    if (carrier.containsKey(BAGGAGE)) {
      Baggage incoming =
          Baggage.fromContext(
              W3CBaggagePropagator.getInstance().extract(Context.root(), carrier, GETTER));
      BaggageBuilder kept = Baggage.builder();
      List<String> dropped = new ArrayList<>(0);
      incoming.forEach(
          (key, entry) -> {
            if (byName.containsKey(key)) {
              kept.put(key, entry.getValue(), entry.getMetadata());
              values.put(key, entry.getValue());
            } else {
              dropped.add(key);
            }
          });
      for (int i = 0; i < dropped.size(); i++) {
        reject(Rejection.BAGGAGE_ENTRY_NOT_CHOSEN);
      }
      context = context.with(kept.build());
    }
    return context;
  }

  /** Counts list members the way W3C baggage separates them, before any parsing. */
  private static int entries(String header) {
    int count = 1;
    for (int i = 0; i < header.length(); i++) {
      if (header.charAt(i) == ',') {
        count++;
      }
    }
    return count;
  }

  private void reject(Rejection reason) {
    rejections.get(reason).increment();
  }

  /** Chooses the storages that travel and the limits on incoming headers. */
  public static final class Builder {
    private final List<AsyncLocalStorage<String>> storages = new ArrayList<>();
    private int maxHeaderLength = 8192;
    private int maxBaggageEntries = 64;

    private Builder() {}

    /**
     * Adds storages that travel as baggage entries keyed by their names.
     *
     * @param chosen storages with distinct names that are W3C baggage keys
     * @return this builder
     * @throws IllegalArgumentException if a name is missing, not a token, or already chosen
     */
    @SafeVarargs
    public final Builder baggage(AsyncLocalStorage<String>... chosen) {
      for (AsyncLocalStorage<String> storage : chosen) {
        String name = Objects.requireNonNull(storage, "storage").name();
        if (name == null || name.isEmpty() || !isToken(name)) {
          throw new IllegalArgumentException("storage name is not a baggage key: " + name);
        }
        for (AsyncLocalStorage<String> other : storages) {
          if (other.name().equals(name)) {
            throw new IllegalArgumentException("storage name already chosen: " + name);
          }
        }
        storages.add(storage);
      }
      return this;
    }

    /**
     * Sets the longest incoming {@code baggage} (and {@code tracestate}) header accepted.
     *
     * @param chars the limit in characters, at least 1; 8192 unless set
     * @return this builder
     */
    public Builder maxHeaderLength(int chars) {
      if (chars < 1) {
        throw new IllegalArgumentException("maxHeaderLength < 1: " + chars);
      }
      this.maxHeaderLength = chars;
      return this;
    }

    /**
     * Sets the most entries an incoming {@code baggage} header may have.
     *
     * @param entries the limit, at least 1; 64 unless set
     * @return this builder
     */
    public Builder maxBaggageEntries(int entries) {
      if (entries < 1) {
        throw new IllegalArgumentException("maxBaggageEntries < 1: " + entries);
      }
      this.maxBaggageEntries = entries;
      return this;
    }

    /**
     * Returns the propagation; the builder may be reused.
     *
     * @return a new propagation
     */
    public TetherPropagation build() {
      return new TetherPropagation(this);
    }

    private static boolean isToken(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        if (!ok) {
          return false;
        }
      }
      return true;
    }
  }
}
