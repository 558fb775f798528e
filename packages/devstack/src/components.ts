// Every process of the shop, derived from the topology, in the stages they start in: stores, the
// event broker (and Zipkin, when tracing), then services, then their Envoy sidecars (callees'
// first), then the edge gateway and the storefront.
// Each service owns its store: one FerretDB holds a database per Mongo service, and each Redis
// service gets a redis-server.
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  envoy,
  ferretDb,
  goService,
  natsServer,
  nodeService,
  redisServer,
  webDist,
  webServer,
  zipkin,
  type Component,
  type ServiceOptions,
} from "@shopmesh/launcher";
import {
  egressSocket,
  trustFiles,
  workloadFiles,
  serviceSocket,
  zipkinSpansPath,
  type MeshFiles,
  type Replica,
  type ServiceNode,
  type Topology,
} from "@shopmesh/mesh";
import { pageTokenSecret } from "./page-token-secrets.js";

export interface Layout extends MeshFiles {
  readonly runDir: string;
  /** The broker's configuration and its JetStream store. */
  readonly brokerDir: string;
  readonly dataDir: string;
  readonly envoyDir: string;
  readonly keyDir: string;
}

export function layout(runDir: string): Layout {
  const keyDir = join(runDir, "keys");
  return {
    runDir,
    brokerDir: join(runDir, "broker"),
    dataDir: join(runDir, "data"),
    logDir: join(runDir, "logs"),
    envoyDir: join(runDir, "envoy"),
    keyDir,
    jwksPath: join(keyDir, "jwks.json"),
    pkiDir: join(runDir, "pki"),
    socketDir: join(runDir, "sockets"),
  };
}

/**
 * Where a service answers: in the mesh a replica's Unix socket (only its sidecar connects; the
 * first replica unless one is named), else its app port.
 */
export function serviceAddress(service: ServiceNode, dirs: Layout, mesh: boolean, replica: Replica = firstReplica(service)): string {
  return mesh ? `unix:${serviceSocket(dirs, replica.name)}` : `127.0.0.1:${service.appPort}`;
}

function firstReplica(service: ServiceNode): Replica {
  const first = service.replicas[0];
  if (first === undefined) throw new Error(`service ${service.name} has no replica`);
  return first;
}

/** How long a stopping service goes on answering while it says NOT_SERVING, so that callers move away first. */
export const drainDelayMs = 2_000;

export interface Selection {
  /** Services call each other through Envoy sidecars, behind the gateway (true), or directly (false). */
  readonly mesh: boolean;
  /** Which services run (all when absent); only their stores and sidecars start with them. */
  readonly services?: readonly string[];
}

/** Environment of a service replica: its store, its callees (through its own sidecar's egress), its key. */
function serviceEnv(topology: Topology, service: ServiceNode, replica: Replica, dirs: Layout, mesh: boolean): Record<string, string> {
  const store = topology.stores.find((s) => s.name === service.store.server);
  if (store === undefined) throw new Error(`no store ${service.store.server}`);
  // The same page-token key on every replica (services without page tokens ignore it).
  const env: Record<string, string> = { LOG_LEVEL: "info", PAGE_TOKEN_SECRET: pageTokenSecret(dirs.keyDir, service.name) };
  if (store.kind === "mongodb") {
    env["MONGO_URL"] = `mongodb://127.0.0.1:${store.port}`;
    env["MONGO_DB"] = service.store.database ?? service.name;
  } else {
    env["REDIS_URL"] = `redis://127.0.0.1:${store.port}`;
  }
  for (const { callee: calleeName } of service.calls) {
    const callee = topology.services.find((s) => s.name === calleeName);
    if (callee === undefined) throw new Error(`no service ${calleeName}`);
    // In the mesh every call leaves through the service's own sidecar, over its egress socket.
    env[`${calleeName.toUpperCase()}_ADDR`] = mesh ? `unix:${egressSocket(dirs, replica.name)}` : serviceAddress(callee, dirs, false);
  }
  if (mesh) {
    env["DRAIN_DELAY_MS"] = String(drainDelayMs);
    // Each replica its own /metrics, for Prometheus (make up writes the scrape config).
    env["METRICS_PORT"] = String(replica.metricsPort);
  }
  if (service.name === "user") env["JWT_PRIVATE_KEY_FILE"] = join(dirs.keyDir, "jwt-es256.pem");
  return { ...env, ...brokerEnv(topology, service, replica, dirs), ...tracingEnv(topology, service, replica) };
}

/** Whether `service` publishes or consumes events. */
export function usesBroker(service: ServiceNode): boolean {
  return service.publishes.length > 0 || service.consumes.length > 0;
}

/** How a service that publishes or consumes events reaches the broker: over TLS, as its replica's mesh identity. */
function brokerEnv(topology: Topology, service: ServiceNode, replica: Replica, dirs: Layout): Record<string, string> {
  if (topology.broker === undefined || !usesBroker(service)) return {};
  const own = workloadFiles(dirs.pkiDir, replica.name);
  return {
    BROKER_URL: `tls://127.0.0.1:${topology.broker.port}`,
    BROKER_CA_FILE: trustFiles(dirs.pkiDir).caCertificate,
    BROKER_CERT_FILE: own.certificate,
    BROKER_KEY_FILE: own.privateKey,
  };
}

/** The broker's config file. */
export function brokerConfigFile(dirs: Layout): string {
  return join(dirs.brokerDir, "nats.json");
}

/** What the kit's tracing module reads: nothing (off) unless the topology traces. */
function tracingEnv(topology: Topology, service: ServiceNode, replica: Replica): Record<string, string> {
  if (!topology.tracing.enabled) return {};
  return {
    TRACING: "true",
    TRACING_ZIPKIN_URL: `http://127.0.0.1:${topology.tracing.port}${zipkinSpansPath}`,
    TRACING_SAMPLING: String(topology.tracing.sampling),
    TRACING_SERVICE_NAME: service.name,
    TRACING_INSTANCE: replica.name,
  };
}

/** A service's process in the implementation the topology chooses for it (the same environment either way). */
function serviceProcess(service: ServiceNode, options: ServiceOptions): Component {
  return service.impl === "go" ? goService(options) : nodeService(options);
}

/** The components in start stages; the components of one stage start together. */
export function components(topology: Topology, dirs: Layout, selection: Selection): Component[][] {
  const unknown = (selection.services ?? []).filter((name) => !topology.services.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`no service ${unknown.join(", ")} in the topology`);
  const services = topology.services.filter((s) => selection.services?.includes(s.name) ?? true);
  const stores = topology.stores
    .filter((store) => services.some((s) => s.store.server === store.name))
    .map((store) =>
      store.kind === "mongodb"
        ? ferretDb({ name: store.name, port: store.port, dataDir: join(dirs.dataDir, store.name) })
        : // Synced every second: a Redis crash loses at most a second of reservations, carts or notifications.
          redisServer({ name: store.name, port: store.port, dataDir: dirs.dataDir, aof: "every-second" }),
    );
  // Zipkin first, beside the stores: every Envoy and service sends its spans to it from its first call.
  if (topology.tracing.enabled) stores.unshift(zipkin({ port: topology.tracing.port }));
  // The broker beside the stores: it is set up (streams, consumers) before the services start.
  const { broker } = topology;
  if (broker !== undefined && services.some(usesBroker)) {
    // natsConfig puts JetStream's store here.
    const dataDir = join(dirs.brokerDir, "jetstream");
    stores.push(natsServer({ port: broker.port, monitorPort: broker.monitorPort, configFile: brokerConfigFile(dirs), dataDir }));
  }
  // Replicas need the mesh (their sidecars balance the calls): outside it each service runs once.
  const apps = selection.mesh
    ? services.flatMap((s) =>
        s.replicas.map((r) =>
          serviceProcess(s, {
            service: s.name,
            name: r.name,
            port: s.appPort,
            socket: serviceSocket(dirs, r.name),
            env: serviceEnv(topology, s, r, dirs, true),
          }),
        ),
      )
    : services.map((s) =>
        serviceProcess(s, { service: s.name, port: s.appPort, env: serviceEnv(topology, s, firstReplica(s), dirs, false) }),
      );
  if (!selection.mesh) return [stores, apps];
  const configFile = (name: string): string => join(dirs.envoyDir, `${name}.json`);
  const sidecars = (s: ServiceNode): Component[] =>
    s.replicas.map((r) => {
      const name = `sidecar-${r.name}`;
      return envoy({ name, kind: "sidecar", port: r.ingressPort, adminPort: r.adminPort, configFile: configFile(name) });
    });
  // Envoy counts an endpoint unhealthy until a health check of it passed, and checks once a second:
  // a sidecar whose callees' sidecars (or a gateway whose sidecars) were not up yet would answer
  // "no healthy upstream" for its first second. So each starts once what it calls is ready.
  const depths = callDepths(topology);
  const sidecarStages = [...new Set(services.map((s) => depths.get(s.name) ?? 0))]
    .sort((a, b) => a - b)
    .map((depth) => services.filter((s) => depths.get(s.name) === depth).flatMap(sidecars));
  const { port, adminPort } = topology.gateway;
  const gateway = envoy({ name: "gateway", kind: "gateway", port, adminPort, configFile: configFile("gateway") });
  // The storefront, once built (`make web`); it needs only the gateway's address.
  const built = existsSync(join(webDist, "index.html"));
  const web = built ? [webServer({ port: topology.webPort, gatewayUrl: `http://127.0.0.1:${port}` })] : [];
  return [stores, apps, ...sidecarStages, [gateway, ...web]];
}

/** How deep each service's calls go: 0 for a service that calls none, else one more than its deepest callee. */
function callDepths(topology: Topology): Map<string, number> {
  const depths = new Map<string, number>();
  const depth = (name: string, seen: readonly string[]): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    if (seen.includes(name)) throw new Error(`the topology's calls go round in a circle: ${[...seen, name].join(" → ")}`);
    const calls = topology.services.find((s) => s.name === name)?.calls ?? [];
    const d = calls.length === 0 ? 0 : 1 + Math.max(...calls.map((grant) => depth(grant.callee, [...seen, name])));
    depths.set(name, d);
    return d;
  };
  for (const s of topology.services) depth(s.name, []);
  return depths;
}
