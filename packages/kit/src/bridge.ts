// The bridge from Connect's ServiceImpl handlers to grpc-js: method definitions that leave
// decoding to the handler (so a malformed request is INVALID_ARGUMENT, not grpc-js's INTERNAL),
// unary calls, server streams with backpressure, and the response headers and trailers.
import * as grpc from "@grpc/grpc-js";
import {
  create,
  fromBinary,
  isMessage,
  toBinary,
  type DescMessage,
  type DescMethod,
  type DescService,
  type Message,
  type MessageInitShape,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { RpcMetrics } from "./metrics.js";
import { beginRpc, type ServerCall } from "./rpc-log.js";
import { metadataFromHeaders } from "./status.js";

/** A service descriptor with its implementation; build one with `register`. */
export interface ServiceRegistration {
  readonly service: DescService;
  readonly impl: Record<string, unknown>;
}

export interface BridgeOptions {
  readonly logger: Logger;
  /** Aborted on shutdown: server streams end with UNAVAILABLE so clients resubscribe elsewhere. */
  readonly streamShutdown: AbortSignal;
  /** How long a server stream may wait for a client that stopped reading. */
  readonly streamDrainTimeoutMs: number;
  /** Where each call is counted as it ends (besides its log line). */
  readonly metrics?: RpcMetrics | undefined;
}

type MethodFn = (request: Message, ctx: HandlerContext) => unknown;
type UnaryFn = (request: Message, ctx: HandlerContext) => Promise<unknown>;
type StreamFn = (request: Message, ctx: HandlerContext) => AsyncIterable<unknown>;

/** Adds one registration's methods to `server`; throws when a method has no implementation. */
export function addService(server: grpc.Server, { service, impl }: ServiceRegistration, options: BridgeOptions): void {
  const definition: Record<string, grpc.MethodDefinition<Buffer, Message>> = {};
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const path = `/${service.typeName}/${method.name}`;
    definition[method.name] = {
      path,
      originalName: method.localName,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestDeserialize: (bytes: Buffer) => bytes,
      requestSerialize: (bytes: Buffer) => bytes,
      responseSerialize: (message: Message) => Buffer.from(toBinary(method.output, message)),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
    };
    const fn = impl[method.localName];
    if (typeof fn !== "function") {
      throw new Error(`${service.typeName} has no implementation for ${method.name}`);
    }
    handlers[method.name] = handlerFor(service, method, path, fn as MethodFn, options);
  }
  server.addService(definition as grpc.ServiceDefinition, handlers);
}

function handlerFor(service: DescService, method: DescMethod, path: string, fn: MethodFn, options: BridgeOptions): grpc.UntypedHandleCall {
  const rpcOptions = { service, method, path, logger: options.logger, metrics: options.metrics };
  switch (method.methodKind) {
    case "unary":
      return (call: grpc.ServerUnaryCall<Buffer, Message>, callback: grpc.sendUnaryData<Message>) => {
        const rpc = beginRpc(call, rpcOptions);
        void (async () => {
          try {
            const request = decodeRequest(method.input, call.request);
            const response = await (fn as UnaryFn)(request, rpc.ctx);
            sendResponseHeader(call, rpc.ctx);
            callback(null, toMessage(method.output, response), metadataFromHeaders(rpc.ctx.responseTrailer));
            rpc.end(grpc.status.OK);
          } catch (err) {
            callback(rpc.fail(err));
          }
        })();
      };
    case "server_streaming":
      return (call: grpc.ServerWritableStream<Buffer, Message>) => {
        const rpc = beginRpc(call, { ...rpcOptions, shutdownSignal: options.streamShutdown });
        void (async () => {
          let iterator: AsyncIterator<unknown> | undefined;
          try {
            const request = decodeRequest(method.input, call.request);
            // A call whose deadline already passed (or that arrives during shutdown) is not served.
            if (rpc.ctx.signal.aborted) throw rpc.ctx.signal.reason;
            iterator = (fn as StreamFn)(request, rpc.ctx)[Symbol.asyncIterator]();
            let headerSent = false;
            for (;;) {
              const next = await untilAborted(iterator.next(), rpc.ctx.signal);
              if (next.done === true) break;
              if (!headerSent) {
                sendResponseHeader(call, rpc.ctx);
                headerSent = true;
              }
              if (!call.write(toMessage(method.output, next.value))) {
                await drained(call, options.streamDrainTimeoutMs, rpc.ctx.signal);
              }
            }
            call.end(metadataFromHeaders(rpc.ctx.responseTrailer));
            rpc.end(grpc.status.OK);
          } catch (err) {
            // Let the handler's generator run its finally blocks (it honours ctx.signal).
            void iterator?.return?.().catch(() => undefined);
            const status = rpc.fail(err);
            if (!call.cancelled) call.emit("error", status);
          }
        })();
      };
    default:
      return (call: ServerCall, callback?: grpc.sendUnaryData<Message>) => {
        const status = {
          code: grpc.status.UNIMPLEMENTED,
          details: `${method.methodKind} methods are not supported by this server`,
        };
        if (callback) callback(status);
        else call.emit("error", status);
      };
  }
}

function decodeRequest(schema: DescMessage, bytes: Buffer): Message {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new ConnectError(`malformed ${schema.typeName}: ${err instanceof Error ? err.message : String(err)}`, Code.InvalidArgument);
  }
}

function toMessage(schema: DescMessage, value: unknown): Message {
  return isMessage(value, schema) ? value : create(schema, value as MessageInitShape<DescMessage>);
}

/** Sends the headers a handler set on ctx.responseHeader, if it set any. */
function sendResponseHeader(call: ServerCall, ctx: HandlerContext): void {
  const any = !ctx.responseHeader.keys().next().done;
  if (any) call.sendMetadata(metadataFromHeaders(ctx.responseHeader));
}

/**
 * Resolves when the stream can take more; rejects with UNAVAILABLE after `timeoutMs`, or with the
 * signal's reason when the call ends first. Leaves no timer or listener behind either way.
 */
function drained(call: grpc.ServerWritableStream<Buffer, Message>, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: unknown): void => {
      clearTimeout(timer);
      call.off("drain", onDrain);
      signal.removeEventListener("abort", onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onDrain = (): void => settle();
    const onAbort = (): void => settle(signal.reason);
    const timer = setTimeout(
      () => settle(new ConnectError(`the client read nothing for ${timeoutMs} ms; resubscribe`, Code.Unavailable)),
      timeoutMs,
    );
    if (signal.aborted) {
      settle(signal.reason);
      return;
    }
    call.once("drain", onDrain);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Resolves with `promise`, or rejects with the signal's reason once it aborts. `promise` is
 * always observed, so its own later rejection can never become an unhandled one.
 */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => undefined);
  if (signal.aborted) throw signal.reason;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
