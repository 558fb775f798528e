// The load generator as its own process (what `make load` runs), so that a benchmark that measures
// the shop does not count the shoppers' memory and CPU as the shop's.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "@shopmesh/launcher";

export interface LoadOutcome {
  /** What the load generator printed at the end: its tables per method and per step. */
  readonly summary: string;
}

/** `thinkMs` between a shopper's steps (0: none, which saturates the shop); the load generator's default otherwise. */
export async function runLoad(
  shop: { readonly gateway: string; readonly runDir: string },
  options: { shoppers: number; seconds: number; thinkMs?: number },
): Promise<LoadOutcome> {
  const cli = join(repoRoot, "packages", "load", "dist", "src", "cli.js");
  const args = [
    ...["--gateway", shop.gateway, "--run-dir", shop.runDir],
    ...["--shoppers", String(options.shoppers), "--duration", `${options.seconds}s`],
    ...(options.thinkMs === undefined ? [] : ["--think", String(options.thinkMs)]),
  ];
  const { stdout } = await promisify(execFile)(process.execPath, [cli, ...args], { maxBuffer: 16 * 1024 * 1024 });
  return { summary: stdout };
}
