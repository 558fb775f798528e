package kit

import (
	"context"

	"go.opentelemetry.io/contrib/propagators/b3"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/zipkin"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"time"

	"shopmesh/services/shipping-go/internal/config"
)

// StartTracing sends a span of every RPC to Zipkin, as packages/kit/src/tracing.ts does: the
// context arrives in B3 headers (the format Envoy's Zipkin tracer writes), a call that arrives keeps
// its caller's sampling decision, and the ratio decides only for traces the service starts itself.
// The returned function flushes and stops the exporter.
func StartTracing(c config.Tracing) (func(context.Context) error, error) {
	exporter, err := zipkin.New(c.ZipkinURL)
	if err != nil {
		return nil, err
	}
	provider := sdktrace.NewTracerProvider(
		sdktrace.WithResource(resource.NewSchemaless(
			attribute.String("service.name", c.ServiceName),
			attribute.String("service.instance.id", c.Instance),
		)),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(c.Sampling))),
		sdktrace.WithBatcher(exporter, sdktrace.WithBatchTimeout(500*time.Millisecond)),
	)
	otel.SetTracerProvider(provider)
	otel.SetTextMapPropagator(b3.New(b3.WithInjectEncoding(b3.B3MultipleHeader)))
	return provider.Shutdown, nil
}
