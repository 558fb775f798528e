// Every process of the shop, derived from the topology: stores, then services, then their Envoy
// sidecars, then the edge gateway. Each service owns its store: one FerretDB holds a database per
// Mongo service, and each Redis service gets a redis-server of its own.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, toolPath } from "@shopmesh/testkit";
import type { ServiceNode, Topology } from "@shopmesh/mesh";

export interface Component {
  readonly name: string;
  readonly kind: "store" | "service" | "sidecar" | "gateway" | "web";
  /** The port that answers when the component is up. */
  readonly port: number;
  /** Envoy's admin port (/ready), for sidecars and the gateway. */
  readonly adminPort?: number;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface Layout {
  readonly runDir: string;
  readonly dataDir: string;
  readonly logDir: string;
  readonly envoyDir: string;
  readonly keyDir: string;
}

export function layout(runDir: string): Layout {
  return {
    runDir,
    dataDir: join(runDir, "data"),
    logDir: join(runDir, "logs"),
    envoyDir: join(runDir, "envoy"),
    keyDir: join(runDir, "keys"),
  };
}

/** Environment of a service: its port, its store, its callees (through its own sidecar's egress). */
function serviceEnv(topology: Topology, service: ServiceNode, dirs: Layout, mesh: boolean): Record<string, string> {
  const store = topology.stores.find((s) => s.name === service.store.server);
  if (store === undefined) throw new Error(`no store ${service.store.server}`);
  const env: Record<string, string> = { GRPC_PORT: String(service.appPort), LOG_LEVEL: "info" };
  if (store.kind === "mongodb") {
    env["MONGO_URL"] = `mongodb://127.0.0.1:${store.port}`;
    env["MONGO_DB"] = service.store.database ?? service.name;
  } else {
    env["REDIS_URL"] = `redis://127.0.0.1:${store.port}`;
  }
  for (const calleeName of service.calls) {
    const callee = topology.services.find((s) => s.name === calleeName);
    if (callee === undefined) throw new Error(`no service ${calleeName}`);
    env[`${calleeName.toUpperCase()}_ADDR`] = `127.0.0.1:${mesh ? service.egressPort : callee.appPort}`;
  }
  if (service.name === "user") env["JWT_PRIVATE_KEY_FILE"] = join(dirs.keyDir, "jwt-es256.pem");
  return env;
}

function envoy(name: string, kind: "sidecar" | "gateway", port: number, adminPort: number, dirs: Layout): Component {
  return {
    name,
    kind,
    port,
    adminPort,
    command: toolPath("envoy"),
    args: [
      "-c", join(dirs.envoyDir, `${name}.json`),
      // Many Envoys on one host: each needs its own shared-memory base id.
      "--use-dynamic-base-id",
      "--concurrency", "1",
      // Envoy's own log goes to stderr, hence to .run/logs/<name>.log; access logs to <name>-access.log.
      "--log-level", "warn",
    ],
  };
}

/** The components in start order. Without `mesh`, services call each other directly (no Envoy). */
export function components(topology: Topology, dirs: Layout, mesh = true): Component[] {
  const stores: Component[] = topology.stores.map((store) =>
    store.kind === "mongodb"
      ? {
          name: store.name,
          kind: "store",
          port: store.port,
          command: toolPath("ferretdb"),
          args: [
            "--handler=sqlite",
            `--sqlite-url=file:${join(dirs.dataDir, store.name)}/`,
            `--listen-addr=127.0.0.1:${store.port}`,
            `--state-dir=${join(dirs.dataDir, store.name)}`,
            "--telemetry=disable",
            "--debug-addr=-",
            "--log-level=warn",
          ],
        }
      : {
          name: store.name,
          kind: "store",
          port: store.port,
          command: "redis-server",
          // An append-only file synced every second: a Redis crash loses at most a second of
          // reservations, carts or notifications, not a minute.
          args: [
            "--port", String(store.port),
            "--bind", "127.0.0.1",
            "--dir", dirs.dataDir,
            "--dbfilename", `${store.name}.rdb`,
            "--appendonly", "yes",
            "--appenddirname", `${store.name}-aof`,
            "--appendfsync", "everysec",
          ],
        },
  );
  const services: Component[] = topology.services.map((service) => ({
    name: service.name,
    kind: "service",
    port: service.appPort,
    command: process.execPath,
    args: [join(repoRoot, "services", service.name, "dist", "src", "main.js")],
    env: serviceEnv(topology, service, dirs, mesh),
  }));
  if (!mesh) return [...stores, ...services];
  const sidecars = topology.services.map((s) => envoy(`sidecar-${s.name}`, "sidecar", s.ingressPort, s.adminPort, dirs));
  const gateway = envoy("gateway", "gateway", topology.gateway.port, topology.gateway.adminPort, dirs);
  // The storefront, once built (`make web`); it needs only the gateway's address.
  const web: Component[] = existsSync(join(repoRoot, "web", "dist", "index.html"))
    ? [
        {
          name: "web",
          kind: "web",
          port: topology.webPort,
          command: process.execPath,
          args: [join(repoRoot, "web", "serve.mjs")],
          env: { WEB_PORT: String(topology.webPort), GATEWAY_URL: `http://127.0.0.1:${topology.gateway.port}` },
        },
      ]
    : [];
  return [...stores, ...services, ...sidecars, gateway, ...web];
}
