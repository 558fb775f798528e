// A service's environment inside a container: the same variables `make up` sets (devstack's
// components.ts), with container addresses: the store by its DNS name, callees through the
// sidecar's egress on the pod's loopback, spans to the collector by name, the broker by name over
// its own TLS with the workload's certificate.
import { containerPorts, type ServiceNode, type Topology, zipkinSpansPath } from "@shopmesh/mesh";
import { brokerClientEnv, deployedBroker, usesBroker } from "./broker.js";

/** How long a stopping service goes on answering while it says NOT_SERVING (as in `make up`). */
const drainDelayMs = 2_000;

export const storePorts = { mongodb: 27017, redis: 6379 } as const;

/** Where the user service finds its token-signing key inside its container. */
export const jwtKeyPath = "/etc/shopmesh/jwt/jwt-es256.pem";

export interface ServiceEnvOptions {
  /** 127.0.0.1 when only the sidecar may reach the service (Compose); 0.0.0.0 when kubelet probes it (Kubernetes). */
  readonly grpcHost: string;
  /** The DNS name of the trace collector. */
  readonly zipkinHost: string;
  /** The replica's name in traces; undefined: set by the platform (the pod's name). */
  readonly instance: string | undefined;
  /** The certificate the service shows the broker: its replica's (Compose) or its service's (Kubernetes). */
  readonly brokerWorkload: string;
}

/** Every variable but the page-token key, which comes from a secret. */
export function serviceEnv(topology: Topology, service: ServiceNode, options: ServiceEnvOptions): Record<string, string> {
  const store = topology.stores.find((s) => s.name === service.store.server);
  if (store === undefined) throw new Error(`no store ${service.store.server}`);
  const env: Record<string, string> = {
    LOG_LEVEL: "info",
    GRPC_HOST: options.grpcHost,
    GRPC_PORT: String(containerPorts.app),
    DRAIN_DELAY_MS: String(drainDelayMs),
    METRICS_PORT: String(containerPorts.metrics),
  };
  if (store.kind === "mongodb") {
    env["MONGO_URL"] = `mongodb://${store.name}:${storePorts.mongodb}`;
    env["MONGO_DB"] = service.store.database ?? service.name;
  } else {
    env["REDIS_URL"] = `redis://${store.name}:${storePorts.redis}`;
  }
  for (const { callee } of service.calls) env[`${callee.toUpperCase()}_ADDR`] = `127.0.0.1:${containerPorts.egress}`;
  if (service.name === "user") env["JWT_PRIVATE_KEY_FILE"] = jwtKeyPath;
  if (deployedBroker(topology) !== undefined && usesBroker(service)) Object.assign(env, brokerClientEnv(options.brokerWorkload));
  if (topology.tracing.enabled) {
    env["TRACING"] = "true";
    env["TRACING_ZIPKIN_URL"] = `http://${options.zipkinHost}:${containerPorts.zipkin}${zipkinSpansPath}`;
    env["TRACING_SAMPLING"] = String(topology.tracing.sampling);
    env["TRACING_SERVICE_NAME"] = service.name;
    if (options.instance !== undefined) env["TRACING_INSTANCE"] = options.instance;
  }
  return env;
}
