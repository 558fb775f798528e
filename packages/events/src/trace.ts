// Trace context across the broker: the publish is a PRODUCER span under the state change that
// made the event, and the consumer's handling a CONSUMER span under the publish, so a trace shows
// the RPC, the publish and every consumer's work as one.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context } from "@opentelemetry/api";

const tracer = trace.getTracer("shopmesh-events");

/** The active trace context as headers (empty without tracing). */
export function currentTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

function contextOf(headers: Readonly<Record<string, string>>): Context {
  return propagation.extract(context.active(), headers);
}

/** Runs `publish` in a PRODUCER span under `parent` (stored headers); it gets that span's headers to send. */
export function inPublishSpan<T>(
  type: string,
  parent: Readonly<Record<string, string>>,
  publish: (headers: Record<string, string>) => Promise<T>,
): Promise<T> {
  return context.with(contextOf(parent), () =>
    tracer.startActiveSpan(`publish ${type}`, { kind: SpanKind.PRODUCER, attributes: { "messaging.system": "nats" } }, async (span) => {
      try {
        return await publish(currentTraceHeaders());
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        throw err;
      } finally {
        span.end();
      }
    }),
  );
}

/** Runs `handle` in a CONSUMER span under the message's trace context. */
export function inConsumeSpan<T>(
  type: string,
  consumer: string,
  headers: Readonly<Record<string, string>>,
  handle: () => Promise<T>,
): Promise<T> {
  return context.with(contextOf(headers), () =>
    tracer.startActiveSpan(
      `consume ${type}`,
      { kind: SpanKind.CONSUMER, attributes: { "messaging.system": "nats", "messaging.consumer.group.name": consumer } },
      async (span) => {
        try {
          return await handle();
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          throw err;
        } finally {
          span.end();
        }
      },
    ),
  );
}
