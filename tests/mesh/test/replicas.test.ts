// Replicas and self-healing, as a user of the shop would notice them: through the gateway, under a
// steady load, while replicas are killed, restarted one by one, or starved of CPU.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import type { LoadHandle, LoadResult } from "@shopmesh/load";
import { eventually, healthClient } from "@shopmesh/testkit";
import { startTestMesh, type TestMesh } from "./support.js";

let mesh: TestMesh;

beforeAll(async () => {
  mesh = await startTestMesh({ replicas: { catalog: 2, cart: 2, order: 1 } });
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
}, 60_000);

const pids = (): Map<string, number> => new Map(mesh.shop.running.map((r) => [r.component.name, r.pid]));

/**
 * Shoppers browsing the catalog's pages and looking at products through the gateway, as the
 * storefront does, 5 ms between steps: a bounded load (a few hundred calls a second at most).
 */
function catalogReads(shoppers: number): Promise<LoadHandle> {
  return mesh.load({ shoppers, mix: { browse: 1, view: 1 }, thinkTimeMs: 5, registered: 0, subscribeShare: 0 });
}

const answered = (load: LoadHandle): number => load.progress().calls;

function report(what: string, result: LoadResult): void {
  process.stdout.write(`${what}: ${result.calls} calls answered, ${result.errors} failed\n`);
  if (result.failures.length > 0) {
    const first = result.failures[0]?.at ?? "";
    const log = readFileSync(join(mesh.shop.dirs.logDir, "gateway-access.log"), "utf8").split("\n");
    const around = log.filter((l) => /"flags":"[^-]/.test(l)).slice(-10);
    process.stdout.write(`first failure at ${first}; the gateway's last failed answers:\n${around.join("\n")}\n`);
  }
}

/** Serving on its own socket, bypassing the mesh. */
async function serving(replica: string): Promise<boolean> {
  const health = healthClient(mesh.shop.serviceAddress(replica));
  try {
    return (await health.check("").catch(() => "")) === "SERVING";
  } finally {
    health.close();
  }
}

describe("a killed replica", () => {
  it("costs no read through the gateway, and comes back by itself with nothing else restarted", async () => {
    // Many calls in flight, so that the dying replica holds a good number of them.
    const load = await catalogReads(24);
    const before = pids();
    try {
      await eventually(() => answered(load) > 50, { timeoutMs: 10_000, what: "the load running" });
      const victim = before.get("catalog-2");
      if (victim === undefined || victim <= 0) throw new Error("no catalog-2 process");
      process.kill(victim, "SIGKILL");
      const killedAt = Date.now();
      await eventually(() => pids().get("catalog-2") !== victim, { timeoutMs: 15_000, what: "catalog-2 restarted" });
      await eventually(() => serving("catalog-2"), { timeoutMs: 15_000, what: "catalog-2 serving again" });
      process.stdout.write(`catalog-2 serving again ${Date.now() - killedAt} ms after kill -9\n`);
      expect(mesh.shop.status("catalog-2")).toMatchObject({ restarts: 1, lastExit: { signal: "SIGKILL" } });
      const answeredAtRestart = answered(load);
      await eventually(() => answered(load) > answeredAtRestart + 50, { timeoutMs: 10_000, what: "more calls after the restart" });
    } finally {
      report("kill -9 catalog-2 (so far)", await load.stop());
    }
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    const after = pids();
    for (const [name, pid] of before) if (name !== "catalog-2") expect({ name, pid: after.get(name) }).toEqual({ name, pid });
  }, 60_000);
});

describe("a rolling restart", () => {
  it("of catalog loses no call through the gateway", async () => {
    const load = await catalogReads(4);
    await eventually(() => answered(load) > 50, { timeoutMs: 10_000, what: "the load running" }).catch(async (err: unknown) => {
      await load.stop();
      throw err;
    });
    const before = pids();
    const restarted: string[] = [];
    try {
      await mesh.shop.restartService("catalog", (replica, event) => {
        if (event === "healthy") restarted.push(replica);
      });
    } finally {
      await load.stop();
    }
    const result = await load.stop();
    report("rolling restart of catalog", result);
    expect(restarted).toEqual(["catalog", "catalog-2"]);
    expect(result.failures).toEqual([]);
    const after = pids();
    expect(after.get("catalog")).not.toBe(before.get("catalog"));
    expect(after.get("catalog-2")).not.toBe(before.get("catalog-2"));
    for (const [name, pid] of before) if (!name.startsWith("catalog")) expect({ name, pid: after.get(name) }).toEqual({ name, pid });
  }, 90_000);

  it("of cart loses no write: every item added while it restarts is in the cart once", async () => {
    // One shopper putting a unit of a product in the cart and looking at the cart, again and again.
    const load = await mesh.load({ shoppers: 1, mix: { addToCart: 1 }, thinkTimeMs: 5, registered: 1, subscribeShare: 0 });
    const cart = mesh.grpc(CartService);
    try {
      await eventually(() => answered(load) > 20, { timeoutMs: 10_000, what: "the load running" });
      await mesh.shop.restartService("cart");
    } finally {
      await load.stop();
    }
    const result = await load.stop();
    report("rolling restart of cart", result);
    expect(result.failures).toEqual([]);
    // Never emptied (that happens only once every line is full), so it holds one unit per AddItem.
    expect(result.methods["CartService/EmptyCart"]).toBeUndefined();
    const added = result.methods["CartService/AddItem"]?.ok ?? 0;
    expect(added).toBeGreaterThan(10);
    const shopper = load.accounts[0];
    if (shopper === undefined) throw new Error("no shopper");
    const { cart: contents } = await cart.getCart({}, { headers: await shopper.headers() });
    expect(contents?.itemCount).toBe(added);
  }, 90_000);
});

describe("two busy cores beside the mesh", () => {
  it("never make the gateway answer 'no healthy upstream' while every replica is alive", async () => {
    const accessLog = join(mesh.shop.dirs.logDir, "gateway-access.log");
    const linesBefore = readFileSync(accessLog, "utf8").split("\n").length;
    const load = await catalogReads(4);
    const busy: ChildProcess[] = [0, 1].map(() => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
    try {
      await new Promise((r) => setTimeout(r, 10_000));
    } finally {
      for (const child of busy) child.kill("SIGKILL");
    }
    const result = await load.stop();
    report("CPU-starved", result);
    const lines = readFileSync(accessLog, "utf8")
      .split("\n")
      .slice(linesBefore - 1)
      .filter((l) => l.startsWith("{"));
    const noHealthy = lines.map((l) => JSON.parse(l) as { flags: string; method: string }).filter((l) => l.flags.includes("UH"));
    expect(lines.length).toBeGreaterThan(50);
    expect(noHealthy).toEqual([]);
  }, 60_000);
});
