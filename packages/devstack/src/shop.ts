// Starts the shop's processes through the launcher, stage by stage (each stage once the previous one
// is ready), and stops them in reverse. Used by `make up`, the benchmarks and the tests that drive
// the shop's processes.
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  createLauncher,
  freePortBase,
  repoRoot,
  type Component,
  type Launched,
  type Launcher,
  type LauncherOptions,
} from "@shopmesh/launcher";
import {
  issueCertificates,
  loadTopology,
  portSpan,
  serviceNamed,
  workloads,
  writeEnvoyConfigs,
  type TokenBucket,
  type Topology,
  type TopologyOverrides,
} from "@shopmesh/mesh";
import { setUpBroker, writeBrokerConfig } from "./broker.js";
import { components, layout, serviceAddress, type Layout } from "./components.js";
import { seedStock } from "./seed.js";

export interface ShopOptions {
  /** Port base (SHOP_PORT_BASE), or "free" for one whose ports are all free; the topology's own when absent. */
  readonly base?: number | "free";
  /** Where data, logs, keys and Envoy configs go. */
  readonly runDir: string;
  /** Services call each other through Envoy sidecars, behind the gateway (true), or directly (false). */
  readonly mesh?: boolean;
  /** Which services run (all when absent); only their stores (and sidecars) start with them. */
  readonly services?: readonly string[];
  /** Replicas per service instead of the topology's (e.g. `{ catalog: 2 }`); in the mesh only. */
  readonly replicas?: Readonly<Record<string, number>>;
  /** The implementation per service instead of the topology's (e.g. `{ shipping: "go" }`). */
  readonly impl?: TopologyOverrides["impl"];
  /**
   * Traces of every request, in a Zipkin started first: on, off, or as the topology says (`make up`).
   * Off by default: a shop started for a test has no collector and no exporter unless it asks.
   */
  readonly tracing?: boolean | "as-topology";
  /** Extra environment per component name (e.g. short intervals in tests). */
  readonly env?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The edge's bucket for every route without one of its own (TopologyOverrides.gatewayRateLimit). */
  readonly gatewayRateLimit?: TokenBucket;
  /** Plaintext between Envoys and no authorization: only for the bench to measure what mTLS costs. */
  readonly insecure?: boolean;
  /** The Envoys' stream idle timeout instead of 300s: for a test to show that streams outlive it. */
  readonly streamIdleTimeout?: string;
  /** Stock this many units of every catalog product that has no stock yet (0: leave stock alone). */
  readonly seedStock?: number;
  /** How long a stopped process has between SIGTERM and SIGKILL (default 10 s). */
  readonly graceMs?: number;
  /** Called as each component starts and becomes ready. */
  readonly onProgress?: (component: Component, event: "starting" | "ready", elapsedMs: number) => void;
  /** Restart what exits by itself (the launcher's default) or not (tests that crash a process on purpose). */
  readonly supervise?: LauncherOptions["supervise"];
  /** Called as supervision restarts a component or gives up on it. */
  readonly onEvent?: LauncherOptions["onEvent"];
}

export interface RunningShop extends Pick<Launcher, "kill" | "restart" | "stop" | "output" | "signal" | "status"> {
  readonly topology: Topology;
  readonly dirs: Layout;
  /** host:port of the edge gateway. */
  readonly gatewayAddress: string;
  /** Zipkin's address (its API under /api/v2, its UI at /zipkin/) when tracing is on. */
  readonly zipkinUrl: string | undefined;
  /**
   * Where a service (its first replica) or a named replica itself answers, bypassing the mesh (its
   * Unix socket in the mesh): for checks and seeding.
   */
  serviceAddress(name: string): string;
  /** Issues every workload a new certificate; the Envoys swap them in without a restart. */
  rotateCertificates(): Promise<void>;
  /**
   * Restarts a service's replicas one at a time, each draining first (NOT_SERVING, calls move to
   * the other replicas, in-flight calls finish), and goes on to the next only once every Envoy that
   * routes to the service sees the restarted one healthy again. Nothing else is touched.
   */
  restartService(name: string, onReplica?: (replica: string, event: "restarting" | "healthy") => void): Promise<void>;
  /** Every component, in start order. */
  readonly running: readonly Launched[];
}

/** The shop's topology: deploy/topology.yaml. */
export const topologyFile = join(repoRoot, "deploy", "topology.yaml");

/** Replicas for `ShopOptions.replicas`: the same number for every service of the topology. */
export function everyService(count: number): Record<string, number> {
  return Object.fromEntries(loadTopology(topologyFile).services.map((s) => [s.name, count]));
}

export async function startShop(options: ShopOptions): Promise<RunningShop> {
  const base = options.base === "free" ? await freePortBase(portSpan) : options.base;
  const tracing = options.tracing === "as-topology" ? undefined : (options.tracing ?? false);
  const topology = loadTopology(topologyFile, {
    base,
    replicas: options.replicas,
    tracing,
    impl: options.impl,
    gatewayRateLimit: options.gatewayRateLimit,
  });
  const dirs = layout(options.runDir);
  const mesh = options.mesh ?? true;
  const stages = components(topology, dirs, { mesh, ...(options.services === undefined ? {} : { services: options.services }) });
  const names = stages.flat().map((c) => c.name);
  // The user service signs tokens with this key and the gateway checks them with its public half.
  if (mesh || names.includes("user")) await ensureKeys(dirs.keyDir);
  const broker = names.includes("broker");
  // Every hop of the mesh, and every broker client in or out of it, is mutual TLS with the mesh's certificates.
  if (mesh || broker) await issueCertificates(workloads(topology), { dir: dirs.pkiDir });
  if (broker) writeBrokerConfig(topology, dirs);
  if (mesh) {
    // Private to the mesh: the services' sockets (reachable only through their sidecars) and the keys.
    mkdirSync(dirs.socketDir, { recursive: true, mode: 0o700 });
    chmodSync(dirs.socketDir, 0o700);
    writeEnvoyConfigs(topology, dirs.envoyDir, dirs, {
      insecure: options.insecure ?? false,
      ...(options.streamIdleTimeout === undefined ? {} : { streamIdleTimeout: options.streamIdleTimeout }),
    });
  }
  /** A service's (its first replica's) address, or a named replica's. */
  const addressOf = (name: string): string => {
    for (const service of topology.services) {
      const replica = service.replicas.find((r) => r.name === name);
      if (replica !== undefined) return serviceAddress(service, dirs, mesh, replica);
    }
    throw new Error(`no service or replica ${name} in the topology`);
  };

  const launcher = createLauncher({
    logDir: dirs.logDir,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.supervise === undefined ? {} : { supervise: options.supervise }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  try {
    for (const stage of stages) {
      await launcher.start(stage);
      // The broker starts with the stores; its streams and consumers exist before any service connects.
      if (broker && stage.some((c) => c.name === "broker")) await setUpBroker(topology, dirs);
    }
    // A shop of some services only: the gateway routes to the others too, and they never come up.
    const absent = topology.services.filter((s) => !names.includes(s.name)).map((s) => `${s.name}_ingress::`);
    if (mesh)
      await upstreamsHealthy(
        launcher.running.map((r) => r.component),
        (line) => !absent.some((prefix) => line.startsWith(prefix)),
      );
    if ((options.seedStock ?? 0) > 0) {
      await seedStock(addressOf("catalog"), addressOf("inventory"), options.seedStock ?? 0);
    }
  } catch (err) {
    await launcher.stop();
    throw err;
  }

  return {
    topology,
    dirs,
    gatewayAddress: `127.0.0.1:${topology.gateway.port}`,
    zipkinUrl: topology.tracing.enabled ? `http://127.0.0.1:${topology.tracing.port}` : undefined,
    serviceAddress: addressOf,
    async rotateCertificates() {
      await issueCertificates(workloads(topology), { dir: dirs.pkiDir });
      // nats-server reads its certificate at start and on a reload (SIGHUP).
      if (broker) launcher.signal("broker", "SIGHUP");
    },
    async restartService(name, onReplica) {
      const service = serviceNamed(topology, name);
      const replicas = mesh ? service.replicas.map((r) => r.name) : [service.name];
      const envoys = (): Component[] => launcher.running.map((r) => r.component);
      const routedTo = (line: string): boolean => line.startsWith(`${name}_ingress::`);
      for (const replica of replicas) {
        // Only once every replica has been healthy for a while wherever the service is routed to:
        // draining this one then leaves the others. A replica that failed calls a moment ago (one
        // restarted just before, by this loop or after a crash) counts against itself in callers'
        // outlier detection, which ejects for 2 s and then twice that; draining the next replica
        // right after it was seen healthy again lost calls (tests/mesh/test/replicas.test.ts:
        // after a kill -9, and between two replicas here), so that time is waited out first.
        if (mesh) {
          await upstreamsHealthy(envoys(), routedTo);
          await new Promise((r) => setTimeout(r, restartSettleMs));
          await upstreamsHealthy(envoys(), routedTo);
        }
        onReplica?.(replica, "restarting");
        await launcher.restart(replica);
        // Its own sidecar sees it, and so does everything that routes to the service.
        if (mesh) await upstreamsHealthy(envoys(), (line) => routedTo(line) || line.includes(`/${replica}.sock::`));
        onReplica?.(replica, "healthy");
      }
    },
    get running() {
      return launcher.running;
    },
    kill: launcher.kill,
    restart: launcher.restart,
    stop: launcher.stop,
    output: launcher.output,
    signal: launcher.signal,
    status: launcher.status,
  };
}

/** How long a restarted replica is left before the next one drains (see restartService). */
const restartSettleMs = 4_000;

/**
 * Resolves once every Envoy sees every upstream it routes to as healthy. An Envoy is ready (LIVE)
 * before that: its first health check of a sidecar may run before its certificate is loaded, and
 * until the next check a second later it would answer "no healthy upstream".
 */
async function upstreamsHealthy(
  components: readonly Component[],
  concerned: (clusterLine: string) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<void> {
  const admins = components.flatMap((c) => (c.adminPort === undefined ? [] : [{ name: c.name, port: c.adminPort }]));
  const deadline = Date.now() + timeoutMs;
  for (const admin of admins) {
    for (;;) {
      const text = await fetch(`http://127.0.0.1:${admin.port}/clusters`).then(
        (r) => r.text(),
        () => "",
      );
      const flags = text.split("\n").filter((line) => line.includes("::health_flags::") && concerned(line));
      const unhealthy = flags.filter((line) => !line.endsWith("::health_flags::healthy"));
      if (text !== "" && unhealthy.length === 0) break;
      if (Date.now() > deadline) throw new Error(`${admin.name} still sees unhealthy upstreams: ${unhealthy.join("; ")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The signing key pair in `keyDir`, made by the user service's keygen unless it is there already. */
async function ensureKeys(keyDir: string): Promise<void> {
  await promisify(execFile)(process.execPath, [join(repoRoot, "services", "user", "dist", "src", "keygen.js"), keyDir]);
}
