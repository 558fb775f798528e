// Starts the shop's processes in order, each only once the previous ones are healthy, and stops
// them in reverse. Used by `make up` and by the tests that drive the whole mesh.
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { healthClient, repoRoot, startChild, waitForPort, type Child } from "@shopmesh/testkit";
import { loadTopology, writeEnvoyConfigs, type Topology } from "@shopmesh/mesh";
import { components, layout, type Component, type Layout } from "./components.js";
import { seedStock } from "./seed.js";

export interface ShopOptions {
  /** Port base (SHOP_PORT_BASE); the topology's own when absent. */
  readonly base?: number;
  /** Where data, logs, keys and Envoy configs go. */
  readonly runDir: string;
  /** Services call each other through Envoy sidecars (true) or directly (false). */
  readonly mesh?: boolean;
  /** Extra environment per component name (e.g. short intervals in tests). */
  readonly env?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Sidecars fail a call's first attempt on request (x-shop-fault); for the mesh tests only. */
  readonly faults?: boolean;
  /** Stock this many units of every catalog product that has no stock yet (0: leave stock alone). */
  readonly seedStock?: number;
  /** Called as each component starts and becomes ready. */
  readonly onProgress?: (component: Component, event: "starting" | "ready", elapsedMs: number) => void;
}

export interface RunningComponent {
  readonly component: Component;
  readonly child: Child;
}

export interface RunningShop {
  readonly topology: Topology;
  readonly dirs: Layout;
  /** host:port of the edge gateway. */
  readonly gatewayAddress: string;
  readonly running: readonly RunningComponent[];
  /** SIGKILLs one component, as a crash would. */
  kill(name: string): Promise<void>;
  /** Starts a stopped or killed component again and waits until it is ready. */
  restart(name: string): Promise<void>;
  /** Stops everything, in reverse start order. */
  stop(): Promise<void>;
}

const readyTimeoutMs = 30_000;

export async function startShop(options: ShopOptions): Promise<RunningShop> {
  const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"), options.base);
  const dirs = layout(options.runDir);
  for (const dir of [dirs.dataDir, dirs.logDir, dirs.envoyDir]) mkdirSync(dir, { recursive: true });
  for (const store of topology.stores) if (store.kind === "mongodb") mkdirSync(join(dirs.dataDir, store.name), { recursive: true });
  const mesh = options.mesh ?? true;
  if (mesh) {
    writeEnvoyConfigs(topology, {
      outDir: dirs.envoyDir,
      jwksPath: join(dirs.keyDir, "jwks.json"),
      logDir: dirs.logDir,
      faults: options.faults ?? false,
    });
  }

  const all = components(topology, dirs, mesh);
  const running = new Map<string, RunningComponent>();

  const launch = async (component: Component): Promise<void> => {
    const began = Date.now();
    options.onProgress?.(component, "starting", 0);
    // Only what the topology says (and PATH): a variable left in the developer's shell, such as
    // GRPC_HOST=0.0.0.0 or SAGA_CRASH_AFTER, must not change the shop.
    const child = startChild(component.command, component.args, {
      env: { PATH: process.env["PATH"] ?? "", ...component.env, ...options.env?.[component.name] },
      cwd: repoRoot,
    });
    const log = createWriteStream(join(dirs.logDir, `${component.name}.log`), { flags: "a" });
    child.process.stdout?.pipe(log);
    child.process.stderr?.pipe(log);
    running.set(component.name, { component, child });
    const exited = (): string | undefined =>
      child.process.exitCode !== null || child.process.signalCode !== null
        ? `${component.name} exited before it was ready; its log is ${join(dirs.logDir, `${component.name}.log`)}:\n${child.output().slice(-2_000)}`
        : undefined;
    await waitForPort(component.port, readyTimeoutMs, exited);
    await waitReady(component, exited);
    options.onProgress?.(component, "ready", Date.now() - began);
  };

  const stop = async (): Promise<void> => {
    for (const { child } of [...running.values()].reverse()) await child.stop(10_000);
  };

  try {
    for (const component of all) await launch(component);
    if ((options.seedStock ?? 0) > 0) {
      const port = (name: string): number => topology.services.find((s) => s.name === name)?.appPort ?? 0;
      await seedStock(`127.0.0.1:${port("catalog")}`, `127.0.0.1:${port("inventory")}`, options.seedStock ?? 0);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    topology,
    dirs,
    gatewayAddress: `127.0.0.1:${topology.gateway.port}`,
    get running() {
      return [...running.values()];
    },
    kill: async (name) => {
      const entry = running.get(name);
      if (entry === undefined) throw new Error(`no component ${name}`);
      await entry.child.kill();
    },
    restart: async (name) => {
      const component = all.find((c) => c.name === name);
      if (component === undefined) throw new Error(`no component ${name}`);
      await running.get(name)?.child.stop();
      await launch(component);
    },
    stop,
  };
}

/** Services: grpc.health.v1 says SERVING. Envoys: the admin /ready endpoint says LIVE. */
async function waitReady(component: Component, exited: () => string | undefined): Promise<void> {
  if (component.kind === "service") {
    const health = healthClient(`127.0.0.1:${component.port}`);
    try {
      await health.waitFor("SERVING", "", readyTimeoutMs);
    } finally {
      health.close();
    }
    return;
  }
  if (component.adminPort === undefined) return;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const dead = exited();
    if (dead !== undefined) throw new Error(dead);
    try {
      const res = await fetch(`http://127.0.0.1:${component.adminPort}/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${component.name} is not ready after ${readyTimeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
