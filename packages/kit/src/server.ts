// Serves handlers written against Connect's ServiceImpl types with grpc-js, which serves about
// five times the unary rps of connect-node's server on our 2-core machines (docs/benchmarks.md).
// Every server also answers grpc.health.v1 and server reflection for all shop contracts.
// This file is the server's lifecycle; the handler bridge, health and the RPC log line live apart.
import { rm } from "node:fs/promises";
import { connect } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { Logger } from "pino";
import { addService, type ServiceRegistration } from "./bridge.js";
import { shopFileDescriptorProtos } from "./contracts.js";
import type { RpcMetrics } from "./metrics.js";
import { createProbedHealth, type Probe, type ProbedHealth } from "./health.js";

export type { ServiceRegistration } from "./bridge.js";
export type { Probe } from "./health.js";

/** Binds an implementation to its service descriptor; the compiler checks every method. */
export function register<S extends DescService>(service: S, impl: ServiceImpl<S>): ServiceRegistration {
  return { service, impl };
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
  /** A Unix socket to listen on instead of host:port (in the mesh, only the sidecar reaches it). */
  readonly socket?: string;
  /** Checked every `probeIntervalMs`; while one fails, health says NOT_SERVING. */
  readonly probes?: readonly Probe[];
  readonly probeIntervalMs?: number;
  /** How long stop() lets in-flight unary calls finish before cancelling them. */
  readonly shutdownGraceMs?: number;
  /**
   * How long stop() goes on accepting calls after health says NOT_SERVING: callers' health checks
   * see it and route elsewhere before the socket closes (as a Kubernetes preStop delay does).
   */
  readonly drainDelayMs?: number;
  /**
   * How long a server stream may wait for a client that stopped reading before it ends with
   * UNAVAILABLE (the client resubscribes); without it a stalled client holds the stream forever.
   */
  readonly streamDrainTimeoutMs?: number;
  /** Counts every call of the registered services as it ends (by method and gRPC status). */
  readonly metrics?: RpcMetrics;
}

export class ShopServer {
  private readonly grpcServer = new grpc.Server({
    // Envoy and Node clients keep connections open for long; let idle ones be reaped.
    "grpc.max_connection_idle_ms": 5 * 60_000,
  });
  private readonly health: ProbedHealth;
  private readonly streamShutdown = new AbortController();
  private readonly logger: Logger;
  private readonly host: string;
  private stopping: Promise<void> | undefined;
  private boundPort: number | undefined;

  constructor(private readonly options: ShopServerOptions) {
    this.logger = options.logger;
    this.host = options.host ?? "127.0.0.1";
    this.health = createProbedHealth({
      serviceNames: options.services.map((s) => s.service.typeName),
      probes: options.probes ?? [],
      intervalMs: options.probeIntervalMs ?? 1_000,
      logger: this.logger,
    });
    this.health.addToServer(this.grpcServer);
    const reflection = new ReflectionService({
      shop: { fileDescriptorProtos: shopFileDescriptorProtos() },
    } as unknown as ConstructorParameters<typeof ReflectionService>[0]);
    reflection.addToServer(this.grpcServer);
    const bridge = {
      logger: this.logger,
      streamShutdown: this.streamShutdown.signal,
      streamDrainTimeoutMs: options.streamDrainTimeoutMs ?? 30_000,
      metrics: options.metrics,
    };
    for (const registration of options.services) addService(this.grpcServer, registration, bridge);
  }

  /** The port the server listens on (after start; 0 on a Unix socket). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error("server not started");
    return this.boundPort;
  }

  /** "127.0.0.1:50051" or "unix:/path/to.sock", for clients (grpcurl: -unix with the path). */
  get address(): string {
    if (this.options.socket !== undefined) return `unix:${this.options.socket}`;
    return `${this.host}:${this.port}`;
  }

  /** Binds the port (or socket) and starts probing; health turns SERVING once every probe passes. */
  async start(): Promise<number> {
    const socket = this.options.socket;
    if (socket !== undefined) await removeStaleSocket(socket);
    const target = socket !== undefined ? `unix:${socket}` : `${this.host}:${this.options.port}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      // grpc-js answers 1 for a Unix socket, which has no port: say 0.
      this.grpcServer.bindAsync(target, grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(socket === undefined ? port : 0),
      );
    });
    await this.health.start();
    this.logger.info({ address: this.address, serving: this.health.serving }, "listening");
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
    return this.health.serving;
  }

  private async shutdown(): Promise<void> {
    this.health.stop();
    const drainDelayMs = this.options.drainDelayMs ?? 0;
    if (drainDelayMs > 0) {
      this.logger.info({ drain_delay_ms: drainDelayMs }, "draining: NOT_SERVING, still answering");
      await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
    }
    // Streams end only now: a client resubscribing during the drain would still be routed here.
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
}

/**
 * A socket file left by a process that died can be bound again only once removed; one that a
 * live server still answers on is refused rather than stolen.
 */
async function removeStaleSocket(path: string): Promise<void> {
  const answered = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (answered) throw new Error(`another server is listening on ${path}`);
  await rm(path, { force: true });
}

export function createShopServer(options: ShopServerOptions): ShopServer {
  return new ShopServer(options);
}
