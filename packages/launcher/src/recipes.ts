// How each kind of process of the shop is started, once: the stores, the event broker, a service,
// Envoy, the web server, the trace collector.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Component } from "./component.js";
import { repoRoot, toolPath } from "./tools.js";

export interface RedisOptions {
  readonly name: string;
  readonly port: number;
  /** Where its snapshot (<name>.rdb) and append-only files (<name>-aof/) go. */
  readonly dataDir: string;
  /**
   * The append-only file, synced every second (a crash loses at most a second of writes) or after
   * every write (a test that stops and starts the server finds every write again); false: none.
   */
  readonly aof?: "every-second" | "every-write" | false;
  /** Redis' own periodic snapshots besides the append-only file (default true). */
  readonly snapshots?: boolean;
  /** Log warnings only, not redis' notices (for tests). */
  readonly quiet?: boolean;
}

export function redisServer(options: RedisOptions): Component {
  const aof = options.aof ?? "every-second";
  const fsync = aof === "every-write" ? "always" : "everysec";
  return {
    name: options.name,
    kind: "store",
    port: options.port,
    command: "redis-server",
    args: [
      "--port",
      String(options.port),
      "--bind",
      "127.0.0.1",
      "--dir",
      options.dataDir,
      "--dbfilename",
      `${options.name}.rdb`,
      "--appendonly",
      aof === false ? "no" : "yes",
      ...(aof === false ? [] : ["--appenddirname", `${options.name}-aof`, "--appendfsync", fsync]),
      ...(options.snapshots === false ? ["--save", ""] : []),
      ...(options.quiet === true ? ["--loglevel", "warning"] : []),
    ],
    dirs: [options.dataDir],
    ready: "tcp",
  };
}

export interface MongoOptions {
  readonly name: string;
  readonly port: number;
  /** Its own directory: FerretDB's SQLite files (a file per database) or mongod's dbpath. */
  readonly dataDir: string;
  /** Log errors only, not warnings (for tests). */
  readonly quiet?: boolean;
}

/** FerretDB on SQLite: the MongoDB wire protocol without a MongoDB server. */
export function ferretDb(options: MongoOptions): Component {
  return {
    name: options.name,
    kind: "store",
    port: options.port,
    command: toolPath("ferretdb"),
    args: [
      "--handler=sqlite",
      `--sqlite-url=file:${options.dataDir}/`,
      `--listen-addr=127.0.0.1:${options.port}`,
      `--state-dir=${options.dataDir}`,
      "--telemetry=disable",
      "--debug-addr=-",
      `--log-level=${options.quiet === true ? "error" : "warn"}`,
    ],
    dirs: [options.dataDir],
    ready: "tcp",
  };
}

/** A real mongod, where one is installed. */
export function mongod(options: MongoOptions): Component {
  return {
    name: options.name,
    kind: "store",
    port: options.port,
    command: "mongod",
    args: [
      "--port",
      String(options.port),
      "--bind_ip",
      "127.0.0.1",
      "--dbpath",
      options.dataDir,
      ...(options.quiet === true ? ["--quiet"] : []),
    ],
    dirs: [options.dataDir],
    ready: "tcp",
  };
}

/** A service's built entry point: services/<service>/dist/src/main.js. */
export function serviceEntry(service: string): string {
  return join(repoRoot, "services", service, "dist", "src", "main.js");
}

export interface ServiceOptions {
  /** The directory name under services/. */
  readonly service: string;
  /** Defaults to the service's name. */
  readonly name?: string;
  readonly port: number;
  /** Listen on this Unix socket instead of `port` (GRPC_SOCKET): in the mesh, only its sidecar reaches it. */
  readonly socket?: string;
  /** The service's own settings (its config.ts names them); GRPC_PORT comes from `port`. */
  readonly env?: Readonly<Record<string, string>>;
  /** V8 flags of a Node service instead of `nodeFlags` (the memory benchmark compares them). */
  readonly nodeFlags?: readonly string[];
}

/**
 * The kit's tracing module, imported before the service's main: it must patch @grpc/grpc-js before
 * the service imports it (in ESM, only a loader hook registered first can). It does nothing unless
 * the service's environment says TRACING=true.
 */
export const tracingModule = join(repoRoot, "packages", "kit", "dist", "src", "tracing-register.js");

/**
 * V8 flags for every Node service of the shop and its storefront's server: a young generation of
 * at most 4 MiB per semi-space (Node's default grows it to 16), where an idle service's heap went,
 * and an old generation that may grow to twice what the last full GC left alive before the next
 * one (`--heap-growing-percent=100`), where V8 otherwise lets a busy service's garbage pile up to
 * several times that. A factor of 1.5 saved a loaded catalog 20 MiB more and cost it a seventh of
 * its rps in one run of two; a factor of 3 holds more for no more rps. `make bench-memory`
 * compares them side by side with Node's defaults and the other alternatives (docs/benchmarks.md,
 * "The V8 flags"). Both are V8's flags, which Node passes on without a stability promise: a Node
 * that drops one fails every test that starts a service. deploy/images passes the same flags.
 */
export const nodeFlags: readonly string[] = ["--max-semi-space-size=4", "--heap-growing-percent=100"];

/** A service as its real process, ready once its health says SERVING. */
export function nodeService(options: ServiceOptions): Component {
  const entry = serviceEntry(options.service);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build the services first (tsc -b)`);
  return {
    name: options.name ?? options.service,
    kind: "service",
    port: options.port,
    ...(options.socket === undefined ? {} : { socket: options.socket }),
    command: process.execPath,
    args: [...(options.nodeFlags ?? nodeFlags), "--import", pathToFileURL(tracingModule).href, entry],
    env: { ...(options.socket === undefined ? { GRPC_PORT: String(options.port) } : { GRPC_SOCKET: options.socket }), ...options.env },
    ready: "grpc-health",
  };
}

/** A Go service's binary, as `make go-build` puts it: .build/bin/<service>-go. */
export function goServiceBinary(service: string): string {
  return join(repoRoot, ".build", "bin", `${service}-go`);
}

/**
 * The Go implementation of a service (services/<service>-go), ready once its health says SERVING.
 * It reads the same environment as the TypeScript one, tracing included.
 */
export function goService(options: ServiceOptions): Component {
  const binary = goServiceBinary(options.service);
  if (!existsSync(binary)) throw new Error(`${binary} is missing: build the Go services first (make go-build)`);
  return {
    name: options.name ?? options.service,
    kind: "service",
    port: options.port,
    ...(options.socket === undefined ? {} : { socket: options.socket }),
    command: binary,
    args: [],
    env: { ...(options.socket === undefined ? { GRPC_PORT: String(options.port) } : { GRPC_SOCKET: options.socket }), ...options.env },
    ready: "grpc-health",
  };
}

export interface EnvoyOptions {
  readonly name: string;
  readonly kind: "sidecar" | "gateway";
  readonly port: number;
  readonly adminPort: number;
  /** Its bootstrap config (written by @shopmesh/mesh). */
  readonly configFile: string;
}

/** An Envoy, ready once its admin /ready says LIVE. */
export function envoy(options: EnvoyOptions): Component {
  return {
    name: options.name,
    kind: options.kind,
    port: options.port,
    adminPort: options.adminPort,
    command: toolPath("envoy"),
    args: [
      "-c",
      options.configFile,
      // Many Envoys on one host: each needs its own shared-memory base id.
      "--use-dynamic-base-id",
      "--concurrency",
      "1",
      // Envoy's own log goes to stderr, hence to its log file; access logs are the config's business.
      "--log-level",
      "warn",
    ],
    ready: { httpOk: `http://127.0.0.1:${options.adminPort}/ready` },
  };
}

/** The page's built files (`npm run build -w web`); the web server serves nothing without them. */
export const webDist = join(repoRoot, "web", "dist");

/** The storefront's static server (web/serve.mjs); it needs only the gateway's URL. */
export function webServer(options: { readonly port: number; readonly gatewayUrl: string }): Component {
  return {
    name: "web",
    kind: "web",
    port: options.port,
    command: process.execPath,
    args: [...nodeFlags, join(repoRoot, "web", "serve.mjs")],
    env: { WEB_PORT: String(options.port), GATEWAY_URL: options.gatewayUrl },
    ready: "tcp",
  };
}

/** The Zipkin server's executable jar, as `make tools` puts it (pinned in the Makefile). */
export const zipkinJar = join(repoRoot, ".tools", "zipkin", "zipkin-server-exec.jar");

export interface ZipkinOptions {
  readonly port: number;
  /** Spans kept in memory; the oldest go first (Zipkin's default is 500 000). */
  readonly maxSpans?: number;
  /** The JVM's heap ceiling in MiB. */
  readonly heapMiB?: number;
}

/**
 * Zipkin (its collector, API and UI at /zipkin/) with in-memory storage, on loopback only
 * (Armeria's port settings name the address), ready once /health answers. The JVM is told to
 * start fast rather than run fast: a few hundred spans a second need no optimising compiler.
 */
export function zipkin(options: ZipkinOptions): Component {
  if (!existsSync(zipkinJar)) throw new Error(`${zipkinJar} is missing: run make tools (it needs Java 17 and Maven)`);
  return {
    name: "zipkin",
    kind: "tracing",
    port: options.port,
    command: "java",
    args: [
      `-Xmx${options.heapMiB ?? 192}m`,
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-jar",
      zipkinJar,
      `--armeria.ports[0].ip=127.0.0.1`,
      `--armeria.ports[0].port=${options.port}`,
      "--armeria.ports[0].protocols[0]=http",
    ],
    env: { STORAGE_TYPE: "mem", MEM_MAX_SPANS: String(options.maxSpans ?? 200_000), QUERY_PORT: String(options.port) },
    ready: { httpOk: `http://127.0.0.1:${options.port}/health` },
  };
}

export interface NatsOptions {
  readonly port: number;
  /** Its HTTP monitoring port (/healthz, /jsz). */
  readonly monitorPort: number;
  /** Its configuration (listeners, TLS, users and their permissions, JetStream's store). */
  readonly configFile: string;
  /** JetStream's store, under the run directory. */
  readonly dataDir: string;
}

/** The event broker: nats-server with JetStream, ready once JetStream answers its health check. */
export function natsServer(options: NatsOptions): Component {
  return {
    name: "broker",
    kind: "broker",
    port: options.port,
    command: toolPath("nats-server"),
    args: ["--config", options.configFile],
    dirs: [options.dataDir],
    ready: { httpOk: `http://127.0.0.1:${options.monitorPort}/healthz?js-enabled-only=true` },
  };
}
