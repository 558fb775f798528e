// The failure scenarios of deploy/faults.yaml, switched on and off in the running mesh through the
// sidecars' runtime (as `make fault` does), and what a shopper notices through the gateway: a failing
// payment cancels the order and charges nothing, a slow quote fails checkout fast, a flaky catalog
// list is retried away, a slow replica is left aside. Switching off restores normal answers at once,
// and no process restarts for any of it.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { OrderService, OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { PaymentService } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { goldenMetrics, readEnvoyGrpcStats, readMesh, renderGoldenMetrics, serviceInfos, shopEnvoys, shopState } from "@shopmesh/devstack";
import { eventually, rejection, testAddress, testCards } from "@shopmesh/testkit";
import { checkShopInvariants } from "./invariants.js";
import { newShopper, startTestMesh, timed, type Shopper, type TestMesh } from "./support.js";

let mesh: TestMesh;
let pidsAtStart: Map<string, number>;

beforeAll(async () => {
  mesh = await startTestMesh({ replicas: { catalog: 2, cart: 1, order: 1 } });
  pidsAtStart = pids();
}, 120_000);

afterAll(async () => {
  await mesh?.faults.off("all");
  await mesh?.stop();
}, 60_000);

const pids = (): Map<string, number> => new Map(mesh.shop.running.map((r) => [r.component.name, r.pid]));

/** A shopper with two products in the cart. */
async function shopperWithCart(): Promise<{ shopper: Shopper; productIds: string[]; skus: string[] }> {
  const shopper = await newShopper(mesh);
  const { products } = await mesh.grpc(CatalogService).listProducts({ pageSize: 2 });
  for (const p of products) await mesh.grpc(CartService).addItem({ productId: p.id, quantity: 1 }, { headers: shopper.headers });
  return { shopper, productIds: products.map((p) => p.id), skus: products.map((p) => p.sku) };
}

const placeOrder = (shopper: Shopper, tag: string) =>
  mesh
    .grpc(OrderService)
    .placeOrder(
      { requestId: `${tag}-${Date.now()}`, shippingAddress: testAddress, card: testCards.succeeds },
      { headers: shopper.headers },
    );

async function gatewayStat(name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${mesh.shop.topology.gateway.adminPort}/stats?filter=^${name.replace(/\./g, "\\.")}$`);
  return Number(/: (\d+)/.exec(await res.text())?.[1] ?? 0);
}

/** A counter summed over the sidecars of `service`'s replicas. */
async function sidecarStat(service: string, name: string): Promise<number> {
  const admins = mesh.shop.running.filter((r) => r.component.name.startsWith(`sidecar-${service}`));
  const values = await Promise.all(
    admins.map(async (r) => {
      const res = await fetch(`http://127.0.0.1:${r.component.adminPort}/stats?filter=^${name.replace(/\./g, "\\.")}$`);
      return Number(/: (\d+)/.exec(await res.text())?.[1] ?? 0);
    }),
  );
  return values.reduce((a, b) => a + b, 0);
}

/** Whether `sidecar`'s cluster `cluster` has an endpoint it counts out. */
async function sidecarSeesUnhealthy(sidecar: string, cluster: string): Promise<boolean> {
  const port = mesh.shop.running.find((r) => r.component.name === sidecar)?.component.adminPort;
  const text = await (await fetch(`http://127.0.0.1:${port}/clusters`)).text();
  return text.split("\n").some((l) => l.startsWith(`${cluster}::`) && l.includes("::health_flags::") && !l.endsWith("::healthy"));
}

/** Whether the gateway counts catalog-2's sidecar out (failed health checks or ejected). */
async function gatewaySeesUnhealthy(): Promise<boolean> {
  const port = mesh.shop.running.find((r) => r.component.name === "sidecar-catalog-2")?.component.port;
  const text = await (await fetch(`http://127.0.0.1:${mesh.shop.topology.gateway.adminPort}/clusters`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`catalog_ingress::127.0.0.1:${port}::health_flags::`));
  return line !== undefined && !line.endsWith("::healthy");
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

describe("make fault's scenarios", () => {
  it("are listed off, and read back from the sidecars once switched", async () => {
    const names = mesh.faults.scenarios.map((s) => s.name);
    for (const name of ["payment-failure", "cart-failure", "catalog-list-failure", "shipping-slow", "catalog-slow"]) {
      expect(names).toContain(name);
    }
    expect(names).toEqual(expect.arrayContaining(["payment-unreachable", "catalog-slow-replica", "unavailable-once"]));
    expect((await mesh.faults.list()).filter((s) => s.on.length > 0)).toEqual([]);

    const on = await mesh.faults.on("payment-failure", { percent: 30, code: "INTERNAL" });
    expect(on.on).toEqual([{ sidecar: "sidecar-payment", percent: 30, code: "INTERNAL" }]);
    const slow = await mesh.faults.on("catalog-slow-replica", { delayMs: 700 });
    expect(slow.on).toEqual([{ sidecar: "sidecar-catalog-2", percent: 100, delayMs: 700 }]);
    await mesh.faults.off("all");
    expect((await mesh.faults.list()).filter((s) => s.on.length > 0)).toEqual([]);

    await expect(mesh.faults.on("no-such-thing")).rejects.toThrow(/no scenario no-such-thing; the scenarios are payment-failure/);
    await expect(mesh.faults.on("payment-failure", { percent: 150 })).rejects.toThrow(/PERCENT must be a whole number 1..100/);
    await expect(mesh.faults.on("payment-failure", { code: "BROKEN" })).rejects.toThrow(/CODE must be a gRPC code name/);
    await expect(mesh.faults.on("payment-failure", { delayMs: 10 })).rejects.toThrow(/DELAY_MS applies only/);
  });
});

describe("payment failing for every call", () => {
  it("cancels the order with a clear reason, charges nothing, keeps cart and stock; switching off restores checkout", async () => {
    const { shopper, productIds, skus } = await shopperWithCart();
    const inventory = mesh.direct(InventoryService, "inventory");
    const stockBefore = await Promise.all(skus.map(async (sku) => (await inventory.getStock({ sku })).stock?.available));

    await mesh.faults.on("payment-failure");
    const charged = await sidecarStat("payment", "http.ingress.fault.aborts_injected");
    const failed = await timed(placeOrder(shopper, "payment-failure"));
    const err = ConnectError.from(failed.error);
    process.stdout.write(`payment-failure: PlaceOrder answered ${Code[err.code]} in ${failed.ms.toFixed(0)} ms: ${err.rawMessage}\n`);
    // The contract: UNAVAILABLE when a service the saga needs is unreachable; the order is cancelled.
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toMatch(/payment service is unavailable; order ord_\w+ was cancelled; retry with a new request id/);
    // Charge is idempotent by its key: the order's sidecar tried it five times.
    expect((await sidecarStat("payment", "http.ingress.fault.aborts_injected")) - charged).toBe(5);

    const { orders } = await mesh.grpc(OrderService).listOrders({}, { headers: shopper.headers });
    expect(orders).toHaveLength(1);
    expect(orders[0]?.state).toBe(OrderState.CANCELLED);
    expect(orders[0]?.cancelReason).toMatch(/^payment service unavailable/);
    // Nothing charged: the order's key was voided before any payment was made under it.
    const lookup = mesh.direct(PaymentService, "payment").getPayment({ lookup: { case: "idempotencyKey", value: orders[0]?.id ?? "" } });
    expect((await rejection(lookup)).code).toBe(Code.NotFound);
    const { cart } = await mesh.grpc(CartService).getCart({}, { headers: shopper.headers });
    expect(cart?.lines.map((l) => l.productId).sort()).toEqual([...productIds].sort());
    expect(await Promise.all(skus.map(async (sku) => (await inventory.getStock({ sku })).stock?.available))).toEqual(stockBefore);

    await mesh.faults.off("payment-failure");
    const { order } = await placeOrder(shopper, "payment-restored");
    expect(order?.state).toBe(OrderState.CONFIRMED);
    await checkShopInvariants(mesh);
  }, 60_000);
});

describe("a slow shipping quote", () => {
  it("beyond GetQuote's timeout fails checkout fast with UNAVAILABLE; below it checkout completes", async () => {
    const { shopper, skus } = await shopperWithCart();
    await mesh.faults.on("shipping-slow", { delayMs: 3_000 });
    const slow = await timed(placeOrder(shopper, "quote-too-slow"));
    const err = ConnectError.from(slow.error);
    process.stdout.write(`shipping-slow 3000 ms: PlaceOrder answered ${Code[err.code]} in ${slow.ms.toFixed(0)} ms: ${err.rawMessage}\n`);
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toBe("shipping service is unavailable; try again shortly");
    // GetQuote's timeout is 2 s; the call does not wait for the 3 s delay, nor hang.
    expect(slow.ms).toBeGreaterThan(1_900);
    expect(slow.ms).toBeLessThan(3_000);

    await mesh.faults.on("shipping-slow", { delayMs: 500 });
    const late = await timed(placeOrder(shopper, "quote-late"));
    process.stdout.write(`shipping-slow 500 ms: PlaceOrder answered in ${late.ms.toFixed(0)} ms ${String(late.error ?? "")}\n`);
    expect(late.value?.order?.state).toBe(OrderState.CONFIRMED);
    expect(late.ms).toBeGreaterThan(500);

    await mesh.faults.off("shipping-slow");
    const quote = await timed(mesh.grpc(ShippingService).getQuote({ address: testAddress, items: [{ sku: skus[0] ?? "", quantity: 1 }] }));
    expect(quote.value?.cost).toBeDefined();
    expect(quote.ms).toBeLessThan(500);
    await checkShopInvariants(mesh);
  }, 60_000);
});

describe("ListProducts failing half its attempts", () => {
  it("is retried by the gateway: most reads succeed, and every injected failure was retried or answered", async () => {
    const catalog = mesh.grpc(CatalogService);
    await mesh.faults.on("catalog-list-failure", { percent: 50 });
    const envoys = shopEnvoys(shopState(process.pid, mesh.shop).components);
    const statBefore = await readMesh(envoys, readEnvoyGrpcStats);
    const retriesBefore = await gatewayStat("cluster.catalog_ingress.upstream_rq_retry");
    const abortsBefore = await sidecarStat("catalog", "http.ingress.fault.aborts_injected");
    const reads = 200;
    let ok = 0;
    for (let i = 0; i < reads; i++) {
      const r = await timed(catalog.listProducts({ pageSize: 4 }));
      if (r.value !== undefined) ok++;
      else expect(ConnectError.from(r.error).code).toBe(Code.Unavailable);
    }
    await mesh.faults.off("catalog-list-failure");
    const retries = (await gatewayStat("cluster.catalog_ingress.upstream_rq_retry")) - retriesBefore;
    const aborts = (await sidecarStat("catalog", "http.ingress.fault.aborts_injected")) - abortsBefore;
    process.stdout.write(
      `catalog-list-failure 50%: ${ok}/${reads} reads succeeded; ${aborts} attempts failed, ${retries} retried by the gateway\n`,
    );
    // Five attempts each: 0.5⁵ ≈ 3% of reads fail on average, against 50% without the retries.
    expect(ok / reads).toBeGreaterThan(0.9);
    expect(aborts).toBeGreaterThan(reads * 0.3);
    // Every failed attempt was either retried or was the read's last.
    expect(retries + (reads - ok)).toBe(aborts);
    // make stat shows both: the underlying failures at catalog's sidecars, and its callers' retries.
    const stat = goldenMetrics(serviceInfos(mesh.shop.topology), envoys, statBefore, await readMesh(envoys, readEnvoyGrpcStats));
    const catalogStat = stat.services.find((s) => s.service === "catalog");
    const listStat = catalogStat?.inbound.find((m) => m.method === "ListProducts");
    expect(listStat?.failures[Code.Unavailable]).toBe(aborts);
    expect(listStat?.requests).toBe(reads + retries);
    expect(catalogStat?.retriedByCallers).toBe(retries);
    expect(renderGoldenMetrics(stat, "catalog")).toContain(`${retries} attempts retried by its callers`);
    // Off: every read answers at once.
    for (let i = 0; i < 20; i++) expect((await catalog.listProducts({ pageSize: 4 })).products).toHaveLength(4);
  }, 60_000);
});

describe("one slow catalog replica", () => {
  it("is left aside: its attempts time out and are retried on the other, it is counted down, and p99 recovers within seconds", async () => {
    const catalog = mesh.grpc(CatalogService);
    const { products } = await catalog.listProducts({ pageSize: 8 });
    const calls: { at: number; ms: number; ok: boolean }[] = [];
    let running = true;
    const loop = async (offset: number): Promise<void> => {
      for (let i = offset; running; i++) {
        const r = await timed(catalog.getProduct({ id: products[i % products.length]?.id ?? "" }));
        calls.push({ at: Date.now(), ms: r.ms, ok: r.error === undefined });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    // Closed loops: when the replica comes back after an ejection, each caller may meet it once.
    const loops = Array.from({ length: 4 }, (_, i) => loop(i));
    let onAt = 0;
    let offAt = 0;
    let unhealthyAtOff = false;
    let backAfterMs = 0;
    let downAfterMs: number | undefined;
    try {
      await new Promise((r) => setTimeout(r, 2_000));
      await mesh.faults.on("catalog-slow-replica", { delayMs: 3_000 });
      onAt = Date.now();
      while (Date.now() < onAt + 16_000) {
        if (downAfterMs === undefined && (await gatewaySeesUnhealthy())) downAfterMs = Date.now() - onAt;
        await new Promise((r) => setTimeout(r, 250));
      }
      unhealthyAtOff = await gatewaySeesUnhealthy();
      await mesh.faults.off("catalog-slow-replica");
      offAt = Date.now();
      // Back in the gateway's rotation at its next passing health check.
      await eventually(async () => !(await gatewaySeesUnhealthy()), { timeoutMs: 5_000, what: "catalog-2 healthy again" });
      backAfterMs = Date.now() - offAt;
    } finally {
      running = false;
      await Promise.all(loops);
    }
    const p99 = (from: number, to: number) =>
      percentile(
        calls.filter((c) => c.at >= from && c.at < to).map((c) => c.ms),
        99,
      );
    const seconds = Array.from({ length: 17 }, (_, s) => `${p99(onAt + s * 1000, onAt + (s + 1) * 1000).toFixed(0)}`);
    const before = p99(onAt - 2_000, onAt);
    const down = downAfterMs ?? Number.POSITIVE_INFINITY;
    const recovered = p99(onAt + down + 1_000, offAt);
    process.stdout.write(
      `catalog-slow-replica 3000 ms: ${calls.length} GetProduct calls, ${calls.filter((c) => !c.ok).length} failed, ` +
        `counted down by the gateway after ${down} ms; p99 before ${before.toFixed(0)} ms, per second after: ${seconds.join(" ")} ms; ` +
        `from then on ${recovered.toFixed(0)} ms; still down at off: ${unhealthyAtOff}; ` +
        `back ${backAfterMs} ms after off\n`,
    );
    expect(calls.filter((c) => !c.ok)).toEqual([]);
    // Its health checks time out (2 s, three in a row): within seconds the gateway counts it down.
    expect(down).toBeLessThan(12_000);
    expect(unhealthyAtOff).toBe(true);
    // Until then its attempts were felt (each given up after the 1 s per-attempt timeout) …
    expect(p99(onAt, onAt + down)).toBeGreaterThan(400);
    // … and from then on calls no longer meet the slow replica.
    expect(recovered).toBeLessThan(400);
  }, 60_000);
});

describe("payment unreachable", () => {
  it("is counted down by its callers, fails checkout fast, and the order is cancelled once payment is back", async () => {
    const { shopper } = await shopperWithCart();
    await mesh.faults.on("payment-unreachable");
    const onAt = Date.now();
    // Its health checks fail too: the order's sidecar counts it down, as if it were gone.
    await eventually(() => sidecarSeesUnhealthy("sidecar-order", "payment_ingress"), { timeoutMs: 10_000, what: "payment counted down" });
    const downAfterMs = Date.now() - onAt;
    const failed = await timed(placeOrder(shopper, "payment-unreachable"));
    const err = ConnectError.from(failed.error);
    process.stdout.write(
      `payment-unreachable: counted down after ${downAfterMs} ms; PlaceOrder answered ${Code[err.code]} in ` +
        `${failed.ms.toFixed(0)} ms: ${err.rawMessage}\n`,
    );
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toMatch(/the payment service is unavailable; order ord_\w+ will be cancelled once its compensation completes/);
    expect(failed.ms).toBeLessThan(2_000);

    await mesh.faults.off("payment-unreachable");
    // Recovery voids the charge and releases the stock once payment answers again.
    await checkShopInvariants(mesh, 60_000);
    const { orders } = await mesh.grpc(OrderService).listOrders({}, { headers: shopper.headers });
    expect(orders.map((o) => o.state)).toEqual([OrderState.CANCELLED]);
  }, 90_000);
});

describe("every scenario switched off", () => {
  it("leaves the shop answering normally, with no process restarted", async () => {
    await mesh.faults.off("all");
    expect((await mesh.grpc(CatalogService).listProducts({ pageSize: 2 })).products).toHaveLength(2);
    expect((await rejection(mesh.grpc(CartService).getCart({}))).code).toBe(Code.Unauthenticated);
    expect(pids()).toEqual(pidsAtStart);
  });
});
