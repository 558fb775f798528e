// Every process of the shop, derived from the topology, in the stages they start in: stores, then
// services, then their Envoy sidecars with the edge gateway and the storefront. Each service owns its
// store: one FerretDB holds a database per Mongo service, and each Redis service gets a redis-server.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { envoy, ferretDb, nodeService, redisServer, webDist, webServer, type Component } from "@shopmesh/launcher";
import type { ServiceNode, Topology } from "@shopmesh/mesh";

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

export interface Selection {
  /** Services call each other through Envoy sidecars, behind the gateway (true), or directly (false). */
  readonly mesh: boolean;
  /** Which services run (all when absent); only their stores and sidecars start with them. */
  readonly services?: readonly string[];
}

/** Environment of a service: its store, its callees (through its own sidecar's egress), its key. */
function serviceEnv(topology: Topology, service: ServiceNode, dirs: Layout, mesh: boolean): Record<string, string> {
  const store = topology.stores.find((s) => s.name === service.store.server);
  if (store === undefined) throw new Error(`no store ${service.store.server}`);
  const env: Record<string, string> = { LOG_LEVEL: "info" };
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
  const apps = services.map((s) => nodeService({ service: s.name, port: s.appPort, env: serviceEnv(topology, s, dirs, selection.mesh) }));
  if (!selection.mesh) return [stores, apps];
  const configFile = (name: string): string => join(dirs.envoyDir, `${name}.json`);
  const sidecars = services.map((s) => {
    const name = `sidecar-${s.name}`;
    return envoy({ name, kind: "sidecar", port: s.ingressPort, adminPort: s.adminPort, configFile: configFile(name) });
  });
  const { port, adminPort } = topology.gateway;
  const gateway = envoy({ name: "gateway", kind: "gateway", port, adminPort, configFile: configFile("gateway") });
  // The storefront, once built (`make web`); it needs only the gateway's address.
  const built = existsSync(join(webDist, "index.html"));
  const web = built ? [webServer({ port: topology.webPort, gatewayUrl: `http://127.0.0.1:${port}` })] : [];
  return [stores, apps, [...sidecars, gateway, ...web]];
}
