// The trace a piece of code runs in, through the OpenTelemetry API alone: without tracing started
// (TRACING unset) there is none, every span is a no-op and log lines carry no ids.
import { SpanStatusCode, trace, type Attributes, type Tracer } from "@opentelemetry/api";
import { type Code, ConnectError } from "@connectrpc/connect";
import { codeName } from "./status.js";

/** The ids of the span a log line is written in; none outside a traced call. */
export function traceFields(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  if (span === undefined || !trace.isSpanContextValid(span)) return undefined;
  return { trace_id: span.traceId, span_id: span.spanId };
}

/** A tracer for a service's own spans (the order saga's steps). */
export function shopTracer(name: string): Tracer {
  return trace.getTracer(name);
}

/** What a span's body may say about how it went. */
export interface SpanOutcome {
  /** Marks the span failed with `code` (a gRPC code, as the RPC spans carry theirs). */
  fail(code: Code, message: string): void;
}

/**
 * Runs `body` in a span of its own, the active one while it runs (so the calls it makes are its
 * children). A throw marks the span failed with the error's gRPC code and is rethrown.
 */
export function inSpan<T>(tracer: Tracer, name: string, attributes: Attributes, body: (span: SpanOutcome) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    const fail = (code: Code, message: string): void => {
      span.setAttribute("rpc.grpc.status_code", code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${codeName(code)}: ${message}` });
    };
    try {
      return await body({ fail });
    } catch (err) {
      const e = ConnectError.from(err);
      fail(e.code, e.rawMessage);
      throw err;
    } finally {
      span.end();
    }
  });
}
