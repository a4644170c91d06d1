package io.tether.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.stream.Collectors;

/** An SDK tracer exporting to memory, and assertions on the finished spans' parents. */
final class Tracing implements AutoCloseable {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  final Tracer tracer = provider.get("io.tether.opentelemetry.test");

  /** Starts a span under the current context and ends it at once (exported on end). */
  Span childSpan(String name) {
    Span span = tracer.spanBuilder(name).startSpan();
    span.end();
    return span;
  }

  /** The one finished span named {@code name}. */
  SpanData finished(String name) {
    List<SpanData> spans =
        exporter.getFinishedSpanItems().stream()
            .filter(s -> s.getName().equals(name))
            .collect(Collectors.toList());
    assertThat(spans).as("finished spans named %s", name).hasSize(1);
    return spans.get(0);
  }

  /** Asserts that the finished span {@code name} is a child of {@code parent}. */
  void assertChildOf(String name, Span parent) {
    SpanData child = finished(name);
    assertThat(child.getParentSpanId())
        .as("parent of %s", name)
        .isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(child.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
  }

  /** Asserts that OpenTelemetry's context and the Tether storage behind it are empty here. */
  static void assertRootContext() {
    assertThat(Context.current()).isSameAs(Context.root());
    assertThat(TetherContextStorage.CURRENT.getStore()).isNull();
  }

  @Override
  public void close() {
    provider.close();
  }
}
