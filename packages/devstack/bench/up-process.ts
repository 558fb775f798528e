// `make up` as its own process, for a benchmark that measures the shop as its users run it: the
// launcher it counts is `make up`'s process, which does nothing but supervise, not the benchmark's.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { freePortBase, repoRoot } from "@shopmesh/launcher";
import { portSpan } from "@shopmesh/mesh";
import { stateFile, type ShopState } from "../src/index.js";

export interface UpProcess {
  /** What `make up` wrote once everything was healthy (.run/shop.json): every pid, the gateway. */
  readonly state: ShopState;
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
  const env = {
    ...process.env,
    SHOP_RUN_DIR: runDir,
    SHOP_PORT_BASE: String(await freePortBase(portSpan)),
    TRACING: options.tracing ? "on" : "off",
    REPLICAS: options.replicas === undefined ? "" : String(options.replicas),
    SHOP_SEED_STOCK: String(options.seedStock ?? 100),
  };
  // With the flags the Makefile's `up` target gives it.
  const up = join(repoRoot, "packages", "devstack", "dist", "src", "up.js");
  const child = spawn(process.execPath, ["--max-semi-space-size=1", up], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      await exited;
    }
    rmSync(runDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  while (!existsSync(stateFile(runDir))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`make up did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { state: JSON.parse(readFileSync(stateFile(runDir), "utf8")) as ShopState, runDir, stop };
}
