// A chaos run: shoppers browse, fill carts and place orders through the gateway for about a minute
// while a random service replica is killed every few seconds (and brought back by the launcher).
// Afterwards every order is final and the saga's invariants hold, and no idempotent read failed
// for a service that still had a healthy replica.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { OrderService, OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { errorCount, renderResult } from "@shopmesh/load";
import { checkShopInvariants } from "./invariants.js";
import { shoppers, startTestMesh, type TestMesh } from "./support.js";

const runMs = Number(process.env["CHAOS_RUN_MS"] ?? "60000");
const killEveryMs = 4_000;

let mesh: TestMesh;

beforeAll(async () => {
  // The topology's replicas: catalog, cart and order run twice.
  // Killed again and again from outside, a replica must not count as crash-looping.
  mesh = await startTestMesh({ supervise: { maxRestarts: 1_000 } });
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
}, 60_000);

describe("a minute of shoppers while replicas are killed", () => {
  it("keeps every read of a replicated service answering, and every order consistent", async () => {
    // Four shoppers without a pause: the catalog's first page, a product, into the cart, the cart,
    // every third visit or so an order (and the order), their orders.
    const load = await mesh.load({
      shoppers: 4,
      mix: { browse: 1, view: 1, addToCart: 1, checkout: 0.34, orders: 1 },
      thinkTimeMs: 0,
      registered: 4,
      subscribeShare: 0,
      declineShare: 0,
    });
    // The invariants look at every order of every shopper.
    for (const account of load.accounts) shoppers.push({ userId: account.userId, headers: await account.headers() });
    const orders = mesh.grpc(OrderService);
    const replicated = new Set(mesh.shop.topology.services.filter((s) => s.replicas.length > 1).map((s) => s.name));
    let running = true;

    // Kill one service replica at a time, only when every replica of its service is back up and
    // healthy at the gateway: a replicated service always has a healthy replica, a single one is
    // simply down for a while.
    const killed: string[] = [];
    const chaos = async (): Promise<void> => {
      while (running) {
        await new Promise((r) => setTimeout(r, killEveryMs));
        if (!running) return;
        const clusters = await fetch(`http://127.0.0.1:${mesh.shop.topology.gateway.adminPort}/clusters`).then((r) => r.text());
        const healthyAtGateway = (service: string, port: number): boolean =>
          clusters.includes(`${service}_ingress::127.0.0.1:${port}::health_flags::healthy\n`);
        const candidates = mesh.shop.topology.services.filter((s) =>
          s.replicas.every((r) => mesh.shop.status(r.name).state === "running" && healthyAtGateway(s.name, r.ingressPort)),
        );
        const service = candidates[Math.floor(Math.random() * candidates.length)];
        const replica = service?.replicas[Math.floor(Math.random() * service.replicas.length)];
        const victim = mesh.shop.running.find((r) => r.component.name === replica?.name);
        if (victim === undefined || replica === undefined) continue;
        process.kill(victim.pid, "SIGKILL");
        killed.push(replica.name);
      }
    };

    const started = Date.now();
    const killing = chaos();
    await new Promise((r) => setTimeout(r, runMs));
    running = false;
    const [result] = await Promise.all([load.stop(), killing]);
    process.stdout.write(
      `chaos run: ${((Date.now() - started) / 1000).toFixed(0)} s, ${killed.length} kills (${killed.join(", ")})\n${renderResult(result)}`,
    );

    expect(killed.length).toBeGreaterThanOrEqual(Math.floor(runMs / killEveryMs) - 2);
    // Idempotent reads of a replicated service never fail: the gateway retries them on the other replica.
    const reads: Record<string, string> = {
      "CatalogService/ListProducts": "catalog",
      "CatalogService/GetProduct": "catalog",
      "CartService/GetCart": "cart",
      "OrderService/GetOrder": "order",
      "OrderService/ListOrders": "order",
    };
    for (const [method, service] of Object.entries(reads)) {
      if (!replicated.has(service)) continue;
      const stats = result.methods[method];
      expect({ method, failed: stats === undefined ? 0 : errorCount(stats) }).toEqual({ method, failed: 0 });
      expect(stats?.ok).toBeGreaterThan(0);
    }
    expect(result.methods["OrderService/PlaceOrder"]?.ok).toBeGreaterThan(0);

    // Every order ends final (recovery finishes what a kill interrupted) and the saga's books balance.
    await checkShopInvariants(mesh, 90_000);
    const all = (await Promise.all(shoppers.map((s) => orders.listOrders({ pageSize: 100 }, { headers: s.headers })))).flatMap(
      (page) => page.orders,
    );
    process.stdout.write(
      `orders: ${all.filter((o) => o.state === OrderState.CONFIRMED).length} confirmed, ${all.filter((o) => o.state === OrderState.CANCELLED).length} cancelled\n`,
    );
  }, 240_000);
});
