// The load generator against a real shop (every service once, behind its sidecar and the gateway):
// short runs of a few shoppers, checked against what the shop itself recorded.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createFaultSwitch, startShop, type FaultSwitch, type RunningShop } from "@shopmesh/devstack";
import { OrderService, OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { createGrpcClient } from "@shopmesh/kit";
import { allOrdersOf, eventually, repoRoot } from "@shopmesh/testkit";
import { methodNames, startLoad, stepNames, type LoadOptions, type LoadResult } from "@shopmesh/load";

let runDir: string;
let shop: RunningShop;
let faults: FaultSwitch;

beforeAll(async () => {
  runDir = mkdtempSync(join(tmpdir(), "shopmesh-load-"));
  shop = await startShop({ base: "free", runDir, seedStock: 1_000, replicas: { catalog: 1, cart: 1, order: 1 } });
  const sidecars = shop.running.flatMap(({ component: c }) =>
    c.kind === "sidecar" && c.adminPort !== undefined ? [{ name: c.name, adminPort: c.adminPort }] : [],
  );
  faults = createFaultSwitch(shop.topology.faults, sidecars);
}, 180_000);

afterAll(async () => {
  await shop?.stop();
  if (runDir !== undefined) rmSync(runDir, { recursive: true, force: true });
}, 60_000);

const base = (): Pick<LoadOptions, "gateway" | "tokens"> => ({
  gateway: shop.gatewayAddress,
  tokens: { signingKeyFile: join(shop.dirs.keyDir, "jwt-es256.pem"), ...shop.topology.gateway.jwt },
});
const everyStep = Object.fromEntries(stepNames.map((s) => [s, 1]));

describe("a few shoppers for a few seconds", () => {
  let result: LoadResult;
  let accounts: Awaited<ReturnType<typeof startLoad>>["accounts"];

  beforeAll(async () => {
    const load = await startLoad({
      ...base(),
      shoppers: 4,
      durationMs: 8_000,
      mix: everyStep,
      thinkTimeMs: 20,
      registered: 1,
      subscribeShare: 0.5,
      declineShare: 0.5,
    });
    accounts = load.accounts;
    result = await load.done;
    process.stdout.write(`${JSON.stringify({ ...result, failures: result.failures.slice(0, 5) }, null, 1)}\n`);
  }, 60_000);

  it("takes every step and calls every method of the scenario, without a failed call", () => {
    expect(result.failures).toEqual([]);
    expect(result.errors).toBe(0);
    for (const step of stepNames) expect({ step, ran: (result.steps[step]?.ok ?? 0) > 0 }).toEqual({ step, ran: true });
    // EmptyCart only runs when every line of a cart is full.
    for (const method of methodNames.filter((m) => m !== "CartService/EmptyCart")) {
      expect({ method, called: (result.methods[method]?.ok ?? 0) > 0 }).toEqual({ method, called: true });
    }
    const listed = result.methods["CatalogService/ListProducts"];
    expect(listed?.latencyMs.p50).toBeGreaterThan(0);
    expect(listed?.latencyMs.p99).toBeGreaterThanOrEqual(listed?.latencyMs.p50 ?? 0);
    expect(result.calls).toBe(Object.values(result.methods).reduce((n, m) => n + m.calls, 0));
  });

  it("counts the declining card's orders as declined, and they are exactly the shop's cancelled orders", async () => {
    const placed = result.methods["OrderService/PlaceOrder"];
    expect(placed?.declined).toBeGreaterThan(0);
    expect(placed?.ok).toBeGreaterThan(0);
    expect(result.steps["checkout"]?.declined).toBe(placed?.declined);
    expect(result.declined).toBe(placed?.declined);
    const orders = createGrpcClient(OrderService, shop.gatewayAddress, { defaultTimeoutMs: 10_000 });
    try {
      const all = async () => (await Promise.all(accounts.map(async (a) => allOrdersOf(orders, { headers: await a.headers() })))).flat();
      await eventually(async () => (await all()).every((o) => o.state === OrderState.CONFIRMED || o.state === OrderState.CANCELLED), {
        timeoutMs: 20_000,
        what: "every order final",
      });
      const final = await all();
      const cancelled = final.filter((o) => o.state === OrderState.CANCELLED);
      expect(cancelled.length).toBe(placed?.declined);
      expect(new Set(cancelled.map((o) => o.cancelReason))).toEqual(new Set(["payment declined: insufficient funds"]));
      expect(final.length - cancelled.length).toBe(placed?.ok);
    } finally {
      orders.close();
    }
  }, 30_000);

  it("holds a Subscribe stream open for the whole run on half the shoppers, and they hear of their orders", () => {
    expect(result.streams).toMatchObject({ opened: 2, open: 2, broken: {} });
    expect(result.streams.messages).toBeGreaterThan(0);
  });

  it("signs the registered shopper up through the gateway and mints the others' tokens", () => {
    expect(accounts.map((a) => a.registered)).toEqual([true, false, false, false]);
    expect(accounts[0]?.userId).not.toMatch(/^load-/);
    expect(new Set(accounts.map((a) => a.userId)).size).toBe(4);
  });
});

describe("failed calls", () => {
  it("are counted by code, per method and per step", async () => {
    await faults.on("cart-failure", {});
    try {
      const load = await startLoad({ ...base(), shoppers: 2, durationMs: 2_000, mix: { addToCart: 1 }, thinkTimeMs: 20 });
      const result = await load.done;
      expect(result.methods["CartService/AddItem"]?.errors).toEqual({ UNAVAILABLE: result.methods["CartService/AddItem"]?.calls });
      expect(result.steps["addToCart"]?.errors).toEqual({ UNAVAILABLE: result.steps["addToCart"]?.calls });
      expect(result.errors).toBeGreaterThan(0);
      expect(result.failures[0]).toMatchObject({ method: "CartService/AddItem", step: "addToCart" });
      expect(result.failures[0]?.error).toMatch(/^UNAVAILABLE/);
    } finally {
      await faults.off("all");
    }
  }, 30_000);
});

describe("an arrival rate", () => {
  it("starts visits on schedule, whatever the shoppers are doing", async () => {
    const load = await startLoad({ ...base(), shoppers: 3, rate: 10, durationMs: 2_000, mix: { browse: 1 }, thinkTimeMs: 0 });
    const result = await load.done;
    // 2 s at 10 a second (the first at once): 20 or 21, less what found every shopper busy.
    expect(result.visits + result.dropped).toBeGreaterThanOrEqual(19);
    expect(result.visits + result.dropped).toBeLessThanOrEqual(21);
    // A visit that started as the run ended takes no step.
    expect(result.steps["browse"]?.calls).toBeGreaterThanOrEqual(result.visits - 1);
    expect(result.steps["browse"]?.calls).toBeLessThanOrEqual(result.visits);
  }, 30_000);
});

describe("make load", () => {
  const cli = join(repoRoot, "packages", "load", "dist", "src", "cli.js");

  it("prints a live line a second and the tables at the end", async () => {
    const args = ["--gateway", shop.gatewayAddress, "--run-dir", runDir, "--shoppers", "2", "--duration", "3s", "--think", "50"];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args]);
    // Not a terminal: one plain line a second.
    expect(stderr.split("\n").filter((l) => /shoppers \d+\/2 .*rps .*errors 0 .*p50 .*p99 /.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(stdout).toMatch(/^2 shoppers \(closed loop\) for 3\.\d s: \d+ visits, \d+ calls .*, 0 errors/);
    expect(stdout).toContain("per method");
    expect(stdout).toMatch(/│ CatalogService\/ListProducts +│ +\d+ │/);
    expect(stdout).toMatch(/│ browse +│ +\d+ │/);
  }, 30_000);

  it("says to run make up when the shop is not running", async () => {
    const empty = mkdtempSync(join(tmpdir(), "shopmesh-load-none-"));
    try {
      const failed = await promisify(execFile)(process.execPath, [cli, "--run-dir", empty]).then(
        () => undefined,
        (err: { code: number; stderr: string; stdout: string }) => err,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toBe("make load: shopmesh is not running: start it with `make up` in another terminal first\n");
      expect(failed?.stdout).toBe("");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
