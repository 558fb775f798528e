// Serves handlers written against Connect's ServiceImpl types with grpc-js, which serves about
// five times the unary rps of connect-node's server on our 2-core machines (docs/benchmarks.md).
// Every server also answers grpc.health.v1 and server reflection for all shop contracts.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import * as grpc from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, type ServingStatus } from "grpc-health-check";
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
import {
  Code,
  ConnectError,
  createContextValues,
  createHandlerContext,
  type HandlerContext,
  type ServiceImpl,
} from "@connectrpc/connect";
import type { Logger } from "pino";
import { callerFromHeaders, callerKey, requestIdHeader, requestIdKey } from "./identity.js";
import { codeName, headersFromMetadata, metadataFromHeaders, statusFromError } from "./status.js";
import { shopFileDescriptorProtos } from "./contracts.js";

/** A service descriptor with its implementation; build one with `register`. */
export interface ServiceRegistration {
  readonly service: DescService;
  readonly impl: Record<string, unknown>;
}

/** Binds an implementation to its service descriptor; the compiler checks every method. */
export function register<S extends DescService>(service: S, impl: ServiceImpl<S>): ServiceRegistration {
  return { service, impl };
}

/** A check of something the service cannot work without (its store); it throws when unhealthy. */
export interface Probe {
  readonly name: string;
  check(signal: AbortSignal): Promise<void>;
}

export interface ShopServerOptions {
  /** The service's short name, for logs ("catalog"). */
  readonly name: string;
  readonly services: readonly ServiceRegistration[];
  readonly logger: Logger;
  /** Interface to listen on; 127.0.0.1 unless told otherwise. */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one (tests). */
  readonly port: number;
  /** Checked every `probeIntervalMs`; while one fails, health says NOT_SERVING. */
  readonly probes?: readonly Probe[];
  readonly probeIntervalMs?: number;
  /** How long stop() lets in-flight unary calls finish before cancelling them. */
  readonly shutdownGraceMs?: number;
  /**
   * How long a server stream may wait for a client that stopped reading before it ends with
   * UNAVAILABLE (the client resubscribes); without it a stalled client holds the stream forever.
   */
  readonly streamDrainTimeoutMs?: number;
}

const overallHealth = "";
const deadlineToleranceMs = 50;

export class ShopServer {
  private readonly grpcServer = new grpc.Server({
    // Envoy and Node clients keep connections open for long; let idle ones be reaped.
    "grpc.max_connection_idle_ms": 5 * 60_000,
  });
  private readonly health: HealthImplementation;
  private readonly healthNames: string[];
  private readonly streamShutdown = new AbortController();
  private readonly logger: Logger;
  private probeTimer: NodeJS.Timeout | undefined;
  private probeFailure: string | undefined = "not probed yet";
  private probed = false;
  private stopping: Promise<void> | undefined;
  private boundPort: number | undefined;

  constructor(private readonly options: ShopServerOptions) {
    this.logger = options.logger;
    this.healthNames = [overallHealth, ...options.services.map((s) => s.service.typeName)];
    this.health = new HealthImplementation(
      Object.fromEntries(this.healthNames.map((n) => [n, "NOT_SERVING" as ServingStatus])),
    );
    this.health.addToServer(this.grpcServer);
    const reflection = new ReflectionService({
      shop: { fileDescriptorProtos: shopFileDescriptorProtos() },
    } as unknown as ConstructorParameters<typeof ReflectionService>[0]);
    reflection.addToServer(this.grpcServer);
    for (const registration of options.services) {
      this.addService(registration);
    }
  }

  /** The port the server listens on (after start). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error("server not started");
    return this.boundPort;
  }

  /** "127.0.0.1:50051", for clients and grpcurl. */
  get address(): string {
    return `${this.options.host ?? "127.0.0.1"}:${this.port}`;
  }

  /** Binds the port and starts probing; health turns SERVING once every probe passes. */
  async start(): Promise<number> {
    const host = this.options.host ?? "127.0.0.1";
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.grpcServer.bindAsync(`${host}:${this.options.port}`, grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      );
    });
    await this.runProbes();
    this.logger.info({ address: this.address, serving: this.probeFailure === undefined }, "listening");
    return this.boundPort;
  }

  /**
   * Graceful stop: health says NOT_SERVING, no new calls are accepted, streams end with
   * UNAVAILABLE so clients reconnect elsewhere, and unary calls get the grace period to finish.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Whether every probe passed last time (and the server is not stopping). */
  get serving(): boolean {
    return this.probeFailure === undefined && this.stopping === undefined;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.probeTimer);
    this.setHealth("NOT_SERVING");
    this.streamShutdown.abort(new ConnectError("server is shutting down", Code.Unavailable));
    const graceMs = this.options.shutdownGraceMs ?? 5_000;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.logger.warn({ grace_ms: graceMs }, "calls still running after the grace period; cancelling them");
        this.grpcServer.forceShutdown();
        resolve();
      }, graceMs);
      this.grpcServer.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.logger.info("stopped");
  }

  private setHealth(status: ServingStatus): void {
    for (const name of this.healthNames) this.health.setStatus(name, status);
  }

  private async runProbes(): Promise<void> {
    if (this.stopping) return;
    const failure = await this.probeOnce();
    if (this.stopping) return;
    const changed = failure !== this.probeFailure || !this.probed;
    if (changed) {
      if (failure === undefined) this.logger.info("healthy: serving");
      else this.logger.warn({ reason: failure }, "unhealthy: not serving");
      // Watch streams every setStatus, so only changes are set.
      this.setHealth(failure === undefined ? "SERVING" : "NOT_SERVING");
    }
    this.probeFailure = failure;
    this.probed = true;
    this.probeTimer = setTimeout(() => void this.runProbes(), this.options.probeIntervalMs ?? 1_000);
  }

  private async probeOnce(): Promise<string | undefined> {
    const timeoutMs = Math.max(250, this.options.probeIntervalMs ?? 1_000);
    for (const probe of this.options.probes ?? []) {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await Promise.race([
          probe.check(signal),
          once(signal, "abort").then(() => Promise.reject(new Error(`no answer within ${timeoutMs} ms`))),
        ]);
      } catch (err) {
        return `${probe.name}: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    return undefined;
  }

  private addService({ service, impl }: ServiceRegistration): void {
    const definition: Record<string, grpc.MethodDefinition<Buffer, Message>> = {};
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const method of service.methods) {
      const path = `/${service.typeName}/${method.name}`;
      definition[method.name] = {
        path,
        originalName: method.localName,
        requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
        responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
        // Requests are decoded in the handler, so a malformed one gets INVALID_ARGUMENT
        // rather than grpc-js's INTERNAL.
        requestDeserialize: (bytes: Buffer) => bytes,
        requestSerialize: (bytes: Buffer) => bytes,
        responseSerialize: (message: Message) => Buffer.from(toBinary(method.output, message)),
        responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
      };
      const fn = impl[method.localName];
      if (typeof fn !== "function") {
        throw new Error(`${service.typeName} has no implementation for ${method.name}`);
      }
      handlers[method.name] = this.handlerFor(service, method, path, fn as MethodFn);
    }
    this.grpcServer.addService(definition as grpc.ServiceDefinition, handlers);
  }

  private handlerFor(service: DescService, method: DescMethod, path: string, fn: MethodFn): grpc.UntypedHandleCall {
    switch (method.methodKind) {
      case "unary":
        return (call: grpc.ServerUnaryCall<Buffer, Message>, callback: grpc.sendUnaryData<Message>) => {
          const rpc = this.begin(service, method, path, call, false);
          void (async () => {
            try {
              const request = decodeRequest(method.input, call.request);
              const response = await (fn as UnaryFn)(request, rpc.ctx);
              sendResponseHeader(call, rpc.ctx);
              callback(null, toMessage(method.output, response), metadataFromHeaders(rpc.ctx.responseTrailer));
              rpc.end(grpc.status.OK);
            } catch (err) {
              const status = rpc.fail(err);
              callback(status);
            }
          })();
        };
      case "server_streaming":
        return (call: grpc.ServerWritableStream<Buffer, Message>) => {
          const rpc = this.begin(service, method, path, call, true);
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
                  await drained(call, this.options.streamDrainTimeoutMs ?? 30_000, rpc.ctx.signal);
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

  /** The handler context of one call, and the one log line it ends with. */
  private begin(
    service: DescService,
    method: DescMethod,
    path: string,
    call: ServerCall,
    streaming: boolean,
  ): { ctx: HandlerContext & { abort(reason?: unknown): void }; end(code: number): void; fail(err: unknown): grpc.StatusObject } {
    const started = performance.now();
    const requestHeader = headersFromMetadata(call.metadata);
    const requestId = requestHeader.get(requestIdHeader) ?? randomUUID();
    const caller = callerFromHeaders(requestHeader);
    const cancelled = new AbortController();
    const deadline = call.getDeadline();
    const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
    // grpc-js reports a passed deadline as a cancellation; tell the two apart. Its timer may fire
    // a few milliseconds before the clock reaches the deadline, hence the tolerance.
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
      // Unary calls get the grace period on shutdown; streams never end by themselves.
      ...(streaming ? { shutdownSignal: this.streamShutdown.signal } : {}),
      requestHeader,
      contextValues: createContextValues().set(requestIdKey, requestId).set(callerKey, caller),
    });
    const log = (code: number, err?: unknown): void => {
      ctx.abort();
      const line = {
        method: path,
        code: codeName(code),
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
        request_id: requestId,
        ...(caller ? { user_id: caller.userId } : {}),
      };
      if (err !== undefined) this.logger.error({ ...line, err }, "rpc failed unexpectedly");
      else this.logger.info(line, "rpc");
    };
    return {
      ctx,
      end: (code) => log(code),
      fail: (err) => {
        const status = statusFromError(call.cancelled ? ctx.signal.reason ?? err : err);
        log(status.code, status.expected ? undefined : err);
        return status;
      },
    };
  }
}

type ServerCall = grpc.ServerUnaryCall<Buffer, Message> | grpc.ServerWritableStream<Buffer, Message>;
type MethodFn = (request: Message, ctx: HandlerContext) => unknown;
type UnaryFn = (request: Message, ctx: HandlerContext) => Promise<unknown>;
type StreamFn = (request: Message, ctx: HandlerContext) => AsyncIterable<unknown>;

function decodeRequest(schema: DescMessage, bytes: Buffer): Message {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new ConnectError(
      `malformed ${schema.typeName}: ${err instanceof Error ? err.message : String(err)}`,
      Code.InvalidArgument,
    );
  }
}

function toMessage(schema: DescMessage, value: unknown): Message {
  return isMessage(value, schema) ? value : create(schema, value as MessageInitShape<DescMessage>);
}

/** Sends the headers a handler set on ctx.responseHeader, if it set any. */
function sendResponseHeader(call: ServerCall, ctx: HandlerContext): void {
  let any = false;
  ctx.responseHeader.forEach(() => (any = true));
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
    const timer = setTimeout(() => settle(new ConnectError(`the client read nothing for ${timeoutMs} ms; resubscribe`, Code.Unavailable)), timeoutMs);
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

export function createShopServer(options: ShopServerOptions): ShopServer {
  return new ShopServer(options);
}
