// A service's own RPC metrics in the Prometheus text format, served over HTTP on loopback at
// METRICS_PORT: every call counted by method and gRPC status, and its handling time. The names
// follow go-grpc-prometheus (grpc_server_handled_total, grpc_server_handling_seconds), which
// dashboards for gRPC servers already know. Envoy's stats say the same from outside the process;
// these say it from inside (no proxy in between) and add the Node process's own metrics.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { codeName } from "./status.js";

/** What the RPC log records into, once per call as it ends. */
export interface RpcMetrics {
  /** A call of `path` (`/shop.catalog.v1.CatalogService/GetProduct`) ended with `code` after `seconds`. */
  observe(path: string, code: number, seconds: number): void;
}

export interface MetricsRegistry extends RpcMetrics {
  /** prom-client's registry, for a service's own metrics (`registers: [registry]`). */
  readonly registry: Registry;
  /** The Prometheus text exposition of everything recorded. */
  text(): Promise<string>;
  readonly contentType: string;
}

/** Seconds; from a fast cache hit to a saga that waits on several services. */
const handlingBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A registry of its own per service (never prom-client's global one), labelled with the service's name. */
export function createMetricsRegistry(service: string): MetricsRegistry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const labelNames = ["grpc_service", "grpc_method", "grpc_code"] as const;
  const handled = new Counter({
    name: "grpc_server_handled_total",
    help: "RPCs completed on the server, by method and gRPC status",
    labelNames,
    registers: [registry],
  });
  const handling = new Histogram({
    name: "grpc_server_handling_seconds",
    help: "Time from a call's arrival to its last message or status, by method and gRPC status",
    labelNames,
    buckets: handlingBuckets,
    registers: [registry],
  });
  return {
    observe(path, code, seconds) {
      const [, grpcService = "", grpcMethod = ""] = path.split("/");
      const labels = { grpc_service: grpcService, grpc_method: grpcMethod, grpc_code: codeName(code) };
      handled.inc(labels);
      handling.observe(labels, seconds);
    },
    registry,
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** The HTTP server of /metrics on `host:port` (0 picks a free port); anything else is 404. */
export async function serveMetrics(
  metrics: MetricsRegistry,
  host: string,
  port: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    metrics.text().then(
      (body) => response.writeHead(200, { "content-type": metrics.contentType }).end(body),
      (err: unknown) => response.writeHead(500).end(String(err)),
    );
  });
  server.listen(port, host);
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("metrics server has no port");
  return {
    port: address.port,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
