// Traces of every RPC, sent to Zipkin: a server span for each call a service answers and a client
// span for each call it makes, joined to the Envoys' spans. The context travels in B3 headers, the
// format Envoy's Zipkin tracer reads and writes, from a call's handler to the calls it makes
// (through Node's AsyncLocalStorage, so no handler passes it on by hand).
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { ZipkinExporter } from "@opentelemetry/exporter-zipkin";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { GrpcInstrumentation } from "@opentelemetry/instrumentation-grpc";
import { B3InjectEncoding, B3Propagator } from "@opentelemetry/propagator-b3";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from "@opentelemetry/sdk-trace";
import type { TracingConfig } from "./config.js";

/** Envoy checks every endpoint's health each second: spans of those would bury the shop's own. */
const ignoredMethods = ["Check", "Watch", "ServerReflectionInfo"];

/**
 * Installs the tracer provider, the B3 propagator, the context manager and the grpc-js
 * instrumentation, process-wide: it runs once, before @grpc/grpc-js is imported.
 */
export function startTracing(config: Extract<TracingConfig, { enabled: true }>): TracerProvider {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": config.serviceName, "service.instance.id": config.instance }),
    // A call that arrives keeps its caller's decision (the gateway's); the sampling ratio decides
    // only for traces the service starts itself (a recovery loop's calls).
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampling) }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new ZipkinExporter({ url: config.zipkinUrl }), scheduledDelayMillis: 500 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // Envoy's Zipkin tracer speaks B3 in its multi-header form (x-b3-traceid, x-b3-spanid, …).
  propagation.setGlobalPropagator(new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }));
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new GrpcInstrumentation({ ignoreGrpcMethods: ignoredMethods })],
  });
  return provider;
}
