// `make up` itself, as its own process: the smallest shop (REPLICAS=1, TRACING=off) comes up, says
// what runs where in its state file, serves through the gateway, and Ctrl-C stops every process it
// started; a REPLICAS it cannot honour is refused before anything starts.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { stateFile, type ShopState } from "@shopmesh/devstack";
import { createGrpcClient } from "@shopmesh/kit";
import { freePortBase, isAlive } from "@shopmesh/launcher";
import { portSpan } from "@shopmesh/mesh";
import { eventually, repoRoot } from "@shopmesh/testkit";

const upScript = join(repoRoot, "packages", "devstack", "dist", "src", "up.js");
const runDirs: string[] = [];

afterAll(() => {
  for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
});

/** `make up` with these variables, in a run directory of its own, on free ports. */
async function up(variables: Record<string, string>) {
  const runDir = mkdtempSync(join(tmpdir(), "shopmesh-up-"));
  runDirs.push(runDir);
  const env = { ...process.env, SHOP_RUN_DIR: runDir, SHOP_PORT_BASE: String(await freePortBase(portSpan)), ...variables };
  const child = spawn(process.execPath, [upScript], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, runDir, exit, output: () => output };
}

describe("make up", () => {
  it("with REPLICAS=1 runs each service once, serves through the gateway, and Ctrl-C stops everything", async () => {
    const shop = await up({ TRACING: "off", REPLICAS: "1" });
    let state: ShopState | undefined;
    try {
      // Healthy once it writes its state; an early exit ends the wait at once.
      const healthy = eventually(() => existsSync(stateFile(shop.runDir)), { timeoutMs: 120_000, what: "make up to write its state" });
      const died = shop.exit.then((code) => {
        throw new Error(`make up exited (${code}) before it was healthy`);
      });
      await Promise.race([healthy, died]).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}; it said:\n${shop.output()}`);
      });
      state = JSON.parse(readFileSync(stateFile(shop.runDir), "utf8")) as ShopState;
      const services = state.components.filter((c) => c.kind === "service").map((c) => c.name);
      expect(services.sort()).toEqual(["cart", "catalog", "inventory", "notification", "order", "payment", "shipping", "user"]);
      expect(state.components.map((c) => c.name)).not.toContain("zipkin");
      expect(state.pid).toBe(shop.child.pid);

      const catalog = createGrpcClient(CatalogService, state.gateway, { defaultTimeoutMs: 5_000 });
      try {
        const { products } = await catalog.listProducts({ pageSize: 3 });
        expect(products).toHaveLength(3);
      } finally {
        catalog.close();
      }
    } finally {
      shop.child.kill("SIGINT");
    }
    expect(await shop.exit).toBe(0);
    expect(shop.output()).toContain("stopped.");
    expect(existsSync(stateFile(shop.runDir))).toBe(false);
    expect(state?.components.filter((c) => isAlive(c.pid)).map((c) => c.name)).toEqual([]);
  }, 180_000);

  it.each([
    ["0", "replicas of catalog: 1..8, not 0"],
    ["4", "services: at most 20 replicas in all beyond each service's first"],
  ])("refuses REPLICAS=%s, saying why, before it starts anything", async (replicas, why) => {
    const shop = await up({ TRACING: "off", REPLICAS: replicas });
    expect(await shop.exit).toBe(1);
    expect(shop.output()).toContain(`REPLICAS=${replicas}: ${why}`);
    expect(shop.output()).not.toContain("shopmesh: starting");
  });
});
