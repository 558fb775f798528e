// `make up` as its own process, for a benchmark that measures the shop as its users run it: the
// launcher it counts is `make up`'s process, which does nothing but supervise, not the benchmark's.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { freePortBase, repoRoot } from "@shopmesh/launcher";
import { loadTopology, portSpan, type Topology } from "@shopmesh/mesh";
import { everyService, stateFile, topologyFile, type ShopState } from "../src/index.js";

/** The V8 flags the Makefile's `up` target gives `make up`'s process (keep the two alike). */
export const upNodeFlags: readonly string[] = ["--max-semi-space-size=1"];

export interface UpProcess {
  /** What `make up` wrote once everything was healthy (shop.json in its run directory): every pid, the gateway. */
  readonly state: ShopState;
  /** The state as it is now: supervision rewrites it when a component restarts (a new pid). */
  current(): ShopState;
  /** The topology it runs: its ports, replicas and each replica's metrics port. */
  readonly topology: Topology;
  readonly runDir: string;
  /** Ctrl-C, as a user stops it: everything stops; then its directory goes. */
  stop(): Promise<void>;
}

/** `make up TRACING=… REPLICAS=…` on free ports in a directory of its own; resolves once it is healthy. */
export async function startUp(options: {
  readonly tracing: boolean;
  readonly replicas?: number;
  readonly seedStock?: number;
}): Promise<UpProcess> {
  const runDir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-up-"));
  const base = await freePortBase(portSpan);
  const topology = loadTopology(topologyFile, {
    base,
    ...(options.replicas === undefined ? {} : { replicas: everyService(options.replicas) }),
  });
  const env = {
    ...process.env,
    SHOP_RUN_DIR: runDir,
    SHOP_PORT_BASE: String(base),
    TRACING: options.tracing ? "on" : "off",
    REPLICAS: options.replicas === undefined ? "" : String(options.replicas),
    SHOP_SEED_STOCK: String(options.seedStock ?? 100),
  };
  const up = join(repoRoot, "packages", "devstack", "dist", "src", "up.js");
  const child = spawn(process.execPath, [...upNodeFlags, up], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  // A benchmark that dies leaves no shop behind: Ctrl-C, so that make up stops what it started.
  const onExit = (): void => void child.kill("SIGINT");
  process.once("exit", onExit);
  const stop = async (): Promise<void> => {
    process.off("exit", onExit);
    if (running()) {
      child.kill("SIGINT");
      await exited;
    }
    rmSync(runDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  while (!existsSync(stateFile(runDir))) {
    if (!running() || Date.now() > deadline) {
      await stop();
      throw new Error(`make up did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const current = (): ShopState => JSON.parse(readFileSync(stateFile(runDir), "utf8")) as ShopState;
  return { state: current(), current, topology, runDir, stop };
}
