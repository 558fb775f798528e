// A chaos run: shoppers browse, fill carts and place orders through the gateway for about a minute
// while a random service replica is killed every few seconds (and brought back by the launcher).
// Afterwards every order is final and the saga's invariants hold, and no idempotent read failed
// for a service that still had a healthy replica.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { OrderService, OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { testAddress, testCards } from "@shopmesh/testkit";
import { checkShopInvariants } from "./invariants.js";
import { newShopper, startTestMesh, type Shopper, type TestMesh } from "./support.js";

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

/** Calls answered per kind, and the failures by code. */
class Tally {
  private readonly counts = new Map<string, { ok: number; failed: Map<string, number> }>();

  async count<T>(kind: string, call: () => Promise<T>): Promise<T | undefined> {
    const entry = this.counts.get(kind) ?? { ok: 0, failed: new Map<string, number>() };
    this.counts.set(kind, entry);
    try {
      const value = await call();
      entry.ok++;
      return value;
    } catch (err) {
      const code = Code[ConnectError.from(err).code];
      entry.failed.set(code, (entry.failed.get(code) ?? 0) + 1);
      return undefined;
    }
  }

  failed(kind: string): number {
    return [...(this.counts.get(kind)?.failed.values() ?? [])].reduce((a, b) => a + b, 0);
  }

  ok(kind: string): number {
    return this.counts.get(kind)?.ok ?? 0;
  }

  toString(): string {
    return [...this.counts]
      .map(
        ([kind, { ok, failed }]) =>
          `  ${kind.padEnd(14)} ${String(ok).padStart(5)} ok  ${[...failed].map(([c, n]) => `${n} ${c}`).join(", ")}`,
      )
      .join("\n");
  }
}

describe("a minute of shoppers while replicas are killed", () => {
  it("keeps every read of a replicated service answering, and every order consistent", async () => {
    const shoppers: Shopper[] = [];
    for (let i = 0; i < 4; i++) shoppers.push(await newShopper(mesh));
    const catalog = mesh.grpc(CatalogService);
    const cart = mesh.grpc(CartService);
    const orders = mesh.grpc(OrderService);
    const { products } = await catalog.listProducts({ pageSize: 12 });
    const tally = new Tally();
    const replicated = new Set(mesh.shop.topology.services.filter((s) => s.replicas.length > 1).map((s) => s.name));
    let running = true;

    const shop = async (shopper: Shopper, n: number): Promise<void> => {
      const headers = shopper.headers;
      for (let round = 0; running; round++) {
        await tally.count("ListProducts", () => catalog.listProducts({ pageSize: 12 }));
        const product = products[(n + round) % products.length];
        if (product === undefined) return;
        await tally.count("GetProduct", () => catalog.getProduct({ id: product.id }));
        await tally.count("AddItem", () => cart.addItem({ productId: product.id, quantity: 1 }, { headers }));
        await tally.count("GetCart", () => cart.getCart({}, { headers }));
        if (round % 3 === 2) {
          const placed = await tally.count("PlaceOrder", () =>
            orders.placeOrder({ requestId: `chaos-${n}-${round}`, shippingAddress: testAddress, card: testCards.succeeds }, { headers }),
          );
          const id = placed?.order?.id;
          if (id !== undefined) await tally.count("GetOrder", () => orders.getOrder({ orderId: id }, { headers }));
        }
        await tally.count("ListOrders", () => orders.listOrders({ pageSize: 5 }, { headers }));
      }
    };

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
    const work = [...shoppers.map((s, i) => shop(s, i)), chaos()];
    await new Promise((r) => setTimeout(r, runMs));
    running = false;
    await Promise.all(work);
    process.stdout.write(
      `chaos run: ${((Date.now() - started) / 1000).toFixed(0)} s, ${killed.length} kills (${killed.join(", ")})\n${tally.toString()}\n`,
    );

    expect(killed.length).toBeGreaterThanOrEqual(Math.floor(runMs / killEveryMs) - 2);
    // Idempotent reads of a replicated service never fail: the gateway retries them on the other replica.
    const reads: Record<string, string> = {
      ListProducts: "catalog",
      GetProduct: "catalog",
      GetCart: "cart",
      GetOrder: "order",
      ListOrders: "order",
    };
    for (const [kind, service] of Object.entries(reads)) {
      if (!replicated.has(service)) continue;
      expect({ kind, failed: tally.failed(kind) }).toEqual({ kind, failed: 0 });
      expect(tally.ok(kind)).toBeGreaterThan(0);
    }
    expect(tally.ok("PlaceOrder")).toBeGreaterThan(0);

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
