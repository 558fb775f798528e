// One trace per request, through the gateway, every sidecar and every service, in Zipkin: the mesh
// with tracing on, a PlaceOrder through the gateway, then Zipkin's API. And with tracing off,
// nothing in the shop is configured to reach a collector.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { components, layout, startShop } from "@shopmesh/devstack";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { OrderService, OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { createGrpcClient } from "@shopmesh/kit";
import { loadTopology, writeEnvoyConfigs } from "@shopmesh/mesh";
import { eventually, rejection, repoRoot, testAddress, testCards } from "@shopmesh/testkit";
import { newShopper, startTestMesh, type Shopper, type TestMesh } from "./support.js";

/** A span as Zipkin's v2 API answers it. */
interface ZipkinSpan {
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  readonly name?: string;
  readonly kind?: "SERVER" | "CLIENT" | "PRODUCER" | "CONSUMER";
  readonly localEndpoint?: { readonly serviceName?: string };
  readonly tags?: Readonly<Record<string, string>>;
}

/** The five services PlaceOrder calls. */
const callees = ["cart", "catalog", "inventory", "payment", "shipping"] as const;

let mesh: TestMesh;
let zipkin: string;

beforeAll(async () => {
  mesh = await startTestMesh({ tracing: true, replicas: { catalog: 1, cart: 1, order: 1 } });
  zipkin = mesh.shop.zipkinUrl ?? "";
}, 180_000);

afterAll(async () => {
  await mesh?.stop();
}, 60_000);

/** The traces that hold a saga span of `orderId`. */
async function tracesOfOrder(orderId: string): Promise<ZipkinSpan[][]> {
  const query = new URLSearchParams({ annotationQuery: `order.id=${orderId}`, limit: "10", lookback: "600000" });
  const res = await fetch(`${zipkin}/api/v2/traces?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ZipkinSpan[][];
}

/** A trace's spans as a tree: find a span, and the spans under it. */
function tree(spans: readonly ZipkinSpan[]) {
  const service = (s: ZipkinSpan): string => s.localEndpoint?.serviceName ?? "";
  const children = (parent: ZipkinSpan): ZipkinSpan[] => spans.filter((s) => s.parentId === parent.id);
  /** The one child of `parent` that `match` picks; fails with what was there instead. */
  const child = (parent: ZipkinSpan, what: string, match: (s: ZipkinSpan) => boolean): ZipkinSpan => {
    const found = children(parent).filter(match);
    const seen = children(parent).map((s) => `${service(s)}:${s.name}:${s.tags?.["shop.listener"] ?? s.kind ?? ""}`);
    if (found.length === 0) throw new Error(`no ${what} under ${service(parent)}:${parent.name}; children: ${seen.join(", ")}`);
    return found[0] as ZipkinSpan;
  };
  const envoyAt = (name: string, listener: string) => (s: ZipkinSpan) => service(s) === name && s.tags?.["shop.listener"] === listener;
  const serverOf = (name: string, method: string) => (s: ZipkinSpan) =>
    service(s) === name && s.kind === "SERVER" && (s.name ?? "").endsWith(method.toLowerCase());
  const clientOf = (method: string) => (s: ZipkinSpan) =>
    service(s) === "order" && s.kind === "CLIENT" && (s.name ?? "").endsWith(method.toLowerCase());
  const saga = (step: string) => (s: ZipkinSpan) => service(s) === "order" && s.name === `saga ${step.toLowerCase()}`;
  const publishOf = (event: string) => (s: ZipkinSpan) =>
    service(s) === "order" && s.kind === "PRODUCER" && s.name === `publish shop.order.v1.${event.toLowerCase()}`;
  const consumeBy = (consumer: string, event: string) => (s: ZipkinSpan) =>
    service(s) === consumer && s.kind === "CONSUMER" && s.name === `consume shop.order.v1.${event.toLowerCase()}`;
  return { spans, service, children, child, envoyAt, serverOf, clientOf, saga, publishOf, consumeBy };
}

type Tree = ReturnType<typeof tree>;

/** gateway → sidecar-order ingress → order's PlaceOrder server span. */
function placeOrderSpan(t: Tree): ZipkinSpan {
  const roots = t.spans.filter((s) => s.parentId === undefined);
  expect(roots.map(t.service)).toEqual(["gateway"]);
  const gateway = roots[0] as ZipkinSpan;
  expect(gateway.name).toContain("placeorder");
  const ingress = t.child(gateway, "order's sidecar ingress", t.envoyAt("sidecar-order", "ingress"));
  return t.child(ingress, "order's PlaceOrder span", t.serverOf("order", "PlaceOrder"));
}

/**
 * From a saga step's span (or the order's server span) to the callee's server span: the order's
 * client span → order's sidecar egress → the callee's sidecar ingress → the callee's server span.
 */
function callThroughMesh(t: Tree, from: ZipkinSpan, callee: string, method: string): ZipkinSpan {
  const client = t.child(from, `order's ${method} client span`, t.clientOf(method));
  const egress = t.child(client, "order's sidecar egress", t.envoyAt("sidecar-order", "egress"));
  const ingress = t.child(egress, `${callee}'s sidecar ingress`, t.envoyAt(`sidecar-${callee}`, "ingress"));
  return t.child(ingress, `${callee}'s ${method} span`, t.serverOf(callee, method));
}

async function fillCart(shopper: Shopper): Promise<void> {
  const { products } = await mesh.grpc(CatalogService).listProducts({ pageSize: 1 });
  await mesh.grpc(CartService).addItem({ productId: products[0]?.id ?? "", quantity: 1 }, { headers: shopper.headers });
}

/** The single trace of `orderId`, once every span named by `complete` has arrived (Envoys flush every few seconds). */
async function traceOf(orderId: string, complete: (t: Tree) => void): Promise<Tree> {
  return eventually(
    async () => {
      const traces = await tracesOfOrder(orderId);
      expect(traces).toHaveLength(1);
      const t = tree(traces[0] ?? []);
      complete(t);
      return t;
    },
    { timeoutMs: 30_000, intervalMs: 1_000 },
  );
}

describe("a PlaceOrder through the gateway", () => {
  it("is one trace through the gateway, every sidecar and every service it calls", async () => {
    const shopper = await newShopper(mesh);
    await fillCart(shopper);
    const { order } = await mesh
      .grpc(OrderService)
      .placeOrder(
        { requestId: `traced-${Date.now()}`, shippingAddress: testAddress, card: testCards.succeeds },
        { headers: shopper.headers },
      );
    expect(order?.state).toBe(OrderState.CONFIRMED);
    const orderId = order?.id ?? "";

    const steps = { reserve: ["inventory", "ReserveStock"], charge: ["payment", "Charge"], ship: ["shipping", "CreateShipment"] } as const;
    const t = await traceOf(orderId, (t) => {
      const placed = placeOrderSpan(t);
      // Before the saga: the cart and its products' prices, called from the handler itself.
      callThroughMesh(t, placed, "cart", "GetCart");
      callThroughMesh(t, placed, "catalog", "GetProduct");
      for (const [step, [callee, method]] of Object.entries(steps)) {
        callThroughMesh(t, t.child(placed, `saga ${step}`, t.saga(step)), callee, method);
      }
      callThroughMesh(t, t.child(placed, "saga commit", t.saga("commit")), "inventory", "CommitReservation");
      callThroughMesh(t, t.child(placed, "saga emptyCart", t.saga("emptyCart")), "cart", "EmptyCart");
      // The order's event, published under the call that ended it and handled by each consumer in the same trace.
      const published = t.child(placed, "the OrderConfirmed publish", t.publishOf("OrderConfirmed"));
      t.child(published, "notification's handling", t.consumeBy("notification", "OrderConfirmed"));
      t.child(published, "inventory's handling", t.consumeBy("inventory", "OrderConfirmed"));
    });
    // Every service PlaceOrder calls, and the sidecar of each, is in the one trace.
    const services = new Set(t.spans.map(t.service));
    for (const callee of callees) {
      expect(services).toContain(callee);
      expect(services).toContain(`sidecar-${callee}`);
    }
    const placed = placeOrderSpan(t);
    for (const step of ["reserve", "charge", "ship", "commit", "emptyCart"]) {
      expect(t.child(placed, step, t.saga(step)).tags?.["order.id"]).toBe(orderId);
    }

    // The order service's log line of that PlaceOrder names the trace.
    const log = readFileSync(join(mesh.shop.dirs.logDir, "order.log"), "utf8")
      .split("\n")
      .filter((line) => line.includes('"method":"/shop.order.v1.OrderService/PlaceOrder"'))
      .map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string });
    expect(log.map((line) => line.trace_id)).toContain(placed.traceId);
    expect(log.find((line) => line.trace_id === placed.traceId)?.span_id).toBe(placed.id);
  }, 90_000);

  /** Places an order that the saga cancels; its id, once the client has its answer. */
  const failedOrder = async (card: (typeof testCards)[keyof typeof testCards], code: Code): Promise<string> => {
    const shopper = await newShopper(mesh);
    await fillCart(shopper);
    const placing = mesh
      .grpc(OrderService)
      .placeOrder({ requestId: `failing-${Date.now()}`, shippingAddress: testAddress, card }, { headers: shopper.headers });
    expect((await rejection(placing)).code).toBe(code);
    const [order] = (await mesh.grpc(OrderService).listOrders({}, { headers: shopper.headers })).orders;
    expect(order?.state).toBe(OrderState.CANCELLED);
    return order?.id ?? "";
  };

  it("with a card whose processor is down, shows the failed charge, each compensation and the error codes", async () => {
    const orderId = await failedOrder(testCards.processorDown, Code.Unavailable);
    const unavailable = String(Code.Unavailable);
    const t = await traceOf(orderId, (t) => {
      const placed = placeOrderSpan(t);
      callThroughMesh(t, t.child(placed, "saga charge", t.saga("charge")), "payment", "Charge");
      const refund = t.child(placed, "saga refund", t.saga("refund"));
      callThroughMesh(t, t.child(refund, "saga voidCharge", t.saga("voidCharge")), "payment", "VoidCharge");
      callThroughMesh(t, t.child(placed, "saga release", t.saga("release")), "inventory", "ReleaseReservation");
      const published = t.child(placed, "the OrderCancelled publish", t.publishOf("OrderCancelled"));
      t.child(published, "notification's handling", t.consumeBy("notification", "OrderCancelled"));
    });
    const placed = placeOrderSpan(t);
    // The charge failed with the payment service's own code, on every span of that call.
    const charge = t.child(placed, "saga charge", t.saga("charge"));
    expect(charge.tags).toMatchObject({ "order.id": orderId, "rpc.grpc.status_code": unavailable });
    expect(charge.tags?.["error"]).toContain("UNAVAILABLE");
    expect(callThroughMesh(t, charge, "payment", "Charge").tags?.["rpc.grpc.status_code"]).toBe(unavailable);
    // Its outcome unknown, the charge is voided by the order id (no shipment was made to cancel).
    const refund = t.child(placed, "saga refund", t.saga("refund"));
    expect(t.children(refund).filter(t.saga("cancelShipment"))).toHaveLength(0);
    const voided = t.child(refund, "saga voidCharge", t.saga("voidCharge"));
    expect(voided.tags?.["order.id"]).toBe(orderId);
    expect(voided.tags?.["error"]).toBeUndefined();
    expect(t.child(placed, "saga release", t.saga("release")).tags?.["order.id"]).toBe(orderId);
    // The code the client got, on the order's server span and on the gateway's.
    expect(placed.tags?.["rpc.grpc.status_code"]).toBe(unavailable);
    expect(t.spans.find((s) => s.parentId === undefined)?.tags?.["grpc.status_code"]).toBe(unavailable);
  }, 90_000);

  it("with a declined card, marks the charge failed with FAILED_PRECONDITION and releases the stock", async () => {
    const orderId = await failedOrder(testCards.declined, Code.FailedPrecondition);
    const failedPrecondition = String(Code.FailedPrecondition);
    const t = await traceOf(orderId, (t) => {
      const placed = placeOrderSpan(t);
      callThroughMesh(t, t.child(placed, "saga charge", t.saga("charge")), "payment", "Charge");
      callThroughMesh(t, t.child(placed, "saga release", t.saga("release")), "inventory", "ReleaseReservation");
    });
    const placed = placeOrderSpan(t);
    expect(t.child(placed, "saga charge", t.saga("charge")).tags).toMatchObject({ "rpc.grpc.status_code": failedPrecondition });
    // Nothing was charged: nothing to void.
    expect(t.children(placed).filter(t.saga("refund"))).toHaveLength(0);
    expect(placed.tags?.["rpc.grpc.status_code"]).toBe(failedPrecondition);
  }, 90_000);
});

describe("a failure scenario switched on", () => {
  it("shows the injected fault on the callee's sidecar span, and no span of the service it never reached", async () => {
    await mesh.faults.on("payment-failure", { percent: 100 });
    let orderId = "";
    try {
      const shopper = await newShopper(mesh);
      await fillCart(shopper);
      const placing = mesh
        .grpc(OrderService)
        .placeOrder(
          { requestId: `faulted-${Date.now()}`, shippingAddress: testAddress, card: testCards.succeeds },
          { headers: shopper.headers },
        );
      expect((await rejection(placing)).code).toBe(Code.Unavailable);
      orderId = (await mesh.grpc(OrderService).listOrders({}, { headers: shopper.headers })).orders[0]?.id ?? "";
    } finally {
      await mesh.faults.off("payment-failure");
    }
    const t = await traceOf(orderId, (t) => {
      const charge = t.child(placeOrderSpan(t), "saga charge", t.saga("charge"));
      const client = t.child(charge, "order's Charge client span", t.clientOf("Charge"));
      t.child(
        t.child(client, "order's sidecar egress", t.envoyAt("sidecar-order", "egress")),
        "payment's sidecar ingress",
        t.envoyAt("sidecar-payment", "ingress"),
      );
    });
    const charge = t.child(placeOrderSpan(t), "saga charge", t.saga("charge"));
    const client = t.child(charge, "order's Charge client span", t.clientOf("Charge"));
    const egress = t.child(client, "order's sidecar egress", t.envoyAt("sidecar-order", "egress"));
    const ingress = t.children(egress).filter(t.envoyAt("sidecar-payment", "ingress"));
    // Each attempt the egress made met the fault at payment's sidecar: flag FI (fault injected), UNAVAILABLE.
    expect(ingress.length).toBeGreaterThan(0);
    for (const span of ingress) {
      expect(span.tags).toMatchObject({ response_flags: "FI", "grpc.status_code": String(Code.Unavailable) });
      expect(t.children(span).filter(t.serverOf("payment", "Charge"))).toEqual([]);
    }
  }, 90_000);
});

describe("with tracing off", () => {
  /** A collector that only counts who connects to it. */
  const fakeCollector = async (): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> => {
    let connections = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(202).end());
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/api/v2/spans`,
      connections: () => connections,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  };

  it("a service answers without ever reaching a collector, and reaches it once tracing is on", async () => {
    const collector = await fakeCollector();
    const runDir = mkdtempSync(join(tmpdir(), "shopmesh-untraced-"));
    // The collector's URL is set, so only TRACING keeps the service from using it.
    const env = { inventory: { TRACING_ZIPKIN_URL: collector.url } };
    const shop = await startShop({ runDir, mesh: false, services: ["inventory"], base: "free", env });
    try {
      const inventory = createGrpcClient(InventoryService, shop.serviceAddress("inventory"), { defaultTimeoutMs: 5_000 });
      try {
        // Answered by the service (nothing is stocked): the calls reach it.
        for (let i = 0; i < 5; i++) expect((await rejection(inventory.getStock({ sku: "SKU-UNTRACED" }))).code).toBe(Code.NotFound);
        // Well past the exporter's batch delay.
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        expect(collector.connections()).toBe(0);
        await shop.restart("inventory", { TRACING: "true" });
        expect((await rejection(inventory.getStock({ sku: "SKU-TRACED" }))).code).toBe(Code.NotFound);
        await eventually(() => collector.connections() > 0, { timeoutMs: 10_000 });
      } finally {
        inventory.close();
      }
    } finally {
      await shop.stop();
      await collector.close();
      rmSync(runDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("starts no collector and configures no exporter, in the services or the Envoys", () => {
    const dir = mkdtempSync(join(tmpdir(), "shopmesh-untraced-"));
    try {
      const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"), { tracing: false });
      const stages = components(topology, layout(dir), { mesh: true });
      expect(stages.flat().map((c) => c.kind)).not.toContain("tracing");
      for (const c of stages.flat()) expect(Object.keys(c.env ?? {}).filter((k) => k.startsWith("TRACING"))).toEqual([]);
      for (const { path } of writeEnvoyConfigs(topology, join(dir, "envoy"), layout(dir))) {
        const text = readFileSync(path, "utf8");
        expect(text).not.toContain("envoy.tracers");
        expect(text).not.toContain(`"port_value": ${topology.tracing.port}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
