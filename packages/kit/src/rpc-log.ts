// One call's handler context and the one log line it ends with (method, code, duration,
// request id, user, trace), written here for every RPC rather than by each handler.
import { randomUUID } from "node:crypto";
import type * as grpc from "@grpc/grpc-js";
import type { DescMethod, DescService, Message } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, createHandlerContext, type HandlerContext } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { RpcMetrics } from "./metrics.js";
import { callerFromHeaders, callerKey, requestIdHeader, requestIdKey } from "./identity.js";
import { codeName, headersFromMetadata, statusFromError } from "./status.js";
import { traceFields } from "./trace-context.js";

export type ServerCall = grpc.ServerUnaryCall<Buffer, Message> | grpc.ServerWritableStream<Buffer, Message>;

/** A call in progress: its context, and the two ways it ends (each logs one line). */
export interface RpcCall {
  readonly ctx: HandlerContext & { abort(reason?: unknown): void };
  end(code: number): void;
  /** Logs the failure and returns the status to send (INTERNAL, cause logged, for the unexpected). */
  fail(err: unknown): grpc.StatusObject;
}

export interface RpcCallOptions {
  readonly service: DescService;
  readonly method: DescMethod;
  readonly path: string;
  readonly logger: Logger;
  /** Aborts server streams on shutdown; unary calls get the grace period instead. */
  readonly shutdownSignal?: AbortSignal;
  /** Counts the call as it ends, beside its log line. */
  readonly metrics?: RpcMetrics | undefined;
}

// grpc-js reports a passed deadline as a cancellation; its timer may fire a few milliseconds
// before the clock reaches the deadline, hence the tolerance when telling the two apart.
const deadlineToleranceMs = 50;

export function beginRpc(call: ServerCall, options: RpcCallOptions): RpcCall {
  const { service, method, path, logger } = options;
  const started = performance.now();
  const requestHeader = headersFromMetadata(call.metadata);
  const requestId = requestHeader.get(requestIdHeader) ?? randomUUID();
  const caller = callerFromHeaders(requestHeader);
  // The call's server span is active here; the line may be written after it ended.
  const traced = traceFields();
  const cancelled = new AbortController();
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  call.on("cancelled", () =>
    cancelled.abort(
      deadlineMs - Date.now() <= deadlineToleranceMs
        ? new ConnectError("the deadline passed", Code.DeadlineExceeded)
        : new ConnectError("cancelled by the client", Code.Canceled),
    ),
  );
  const ctx = createHandlerContext({
    service,
    method,
    protocolName: "grpc",
    requestMethod: "POST",
    url: path,
    ...(Number.isFinite(deadlineMs) ? { timeoutMs: deadlineMs - Date.now() } : {}),
    requestSignal: cancelled.signal,
    ...(options.shutdownSignal ? { shutdownSignal: options.shutdownSignal } : {}),
    requestHeader,
    contextValues: createContextValues().set(requestIdKey, requestId).set(callerKey, caller),
  });
  const log = (code: number, err?: unknown): void => {
    ctx.abort();
    const durationMs = performance.now() - started;
    options.metrics?.observe(path, code, durationMs / 1_000);
    const line = {
      method: path,
      code: codeName(code),
      duration_ms: Math.round(durationMs * 100) / 100,
      request_id: requestId,
      ...(caller ? { user_id: caller.userId } : {}),
      ...traced,
    };
    if (err !== undefined) logger.error({ ...line, err }, "rpc failed unexpectedly");
    else logger.info(line, "rpc");
  };
  return {
    ctx,
    end: (code) => log(code),
    fail: (err) => {
      const status = statusFromError(call.cancelled ? (ctx.signal.reason ?? err) : err);
      log(status.code, status.expected ? undefined : err);
      return status;
    },
  };
}
