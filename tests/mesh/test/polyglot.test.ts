// The shop with shipping in Go (`impl: go`): the topology changes that one line and nothing else,
// and an order goes through the gateway end to end, its shipment made by the Go service behind its
// sidecar; a rolling restart of it drains without losing a call.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { OrderService, OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { ShipmentStatus, ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { goServiceBinary } from "@shopmesh/launcher";
import { serviceNamed } from "@shopmesh/mesh";
import { grpcurl, testAddress, testCards } from "@shopmesh/testkit";
import { checkShopInvariants } from "./invariants.js";
import { newShopper, startTestMesh, type TestMesh } from "./support.js";

let mesh: TestMesh;

beforeAll(async () => {
  // One replica each where the topology has two, but two of shipping: a rolling restart drains one
  // while the other answers.
  mesh = await startTestMesh({ impl: { shipping: "go" }, replicas: { catalog: 1, cart: 1, order: 1, shipping: 2 } });
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
}, 60_000);

describe("shipping in Go, in the mesh", () => {
  it("runs the Go binary behind shipping's sidecar, and only there", () => {
    expect(serviceNamed(mesh.shop.topology, "shipping").impl).toBe("go");
    const services = mesh.shop.running.filter((r) => r.component.kind === "service");
    const go = services.filter((r) => r.component.command === goServiceBinary("shipping")).map((r) => r.component.name);
    expect(go).toEqual(["shipping", "shipping-2"]);
    expect(services.find((r) => r.component.name === "shipping")?.component.socket).toMatch(/shipping\.sock$/);
  });

  it("answers a public GetQuote through the gateway (grpcurl, by reflection)", async () => {
    const call = await grpcurl([mesh.shop.gatewayAddress, "shop.shipping.v1.ShippingService/GetQuote"], {
      data: {
        address: { recipient_name: "Ada", street_lines: ["Unter den Linden 1"], city: "Berlin", postal_code: "10117", region_code: "DE" },
        items: [{ sku: "MUG-001", quantity: 2 }],
      },
    });
    expect(call.exitCode).toBe(0);
    expect(JSON.parse(call.stdout)).toEqual({ cost: { currencyCode: "USD", units: "18", nanos: 970000000 }, estimatedDays: 7 });
  });

  it("ships an order placed through the gateway", async () => {
    const shopper = await newShopper(mesh);
    const { products } = await mesh.grpc(CatalogService).listProducts({ pageSize: 2 });
    for (const product of products)
      await mesh.grpc(CartService).addItem({ productId: product.id, quantity: 1 }, { headers: shopper.headers });
    const { order } = await mesh
      .grpc(OrderService)
      .placeOrder(
        { requestId: `polyglot-${Date.now()}`, shippingAddress: testAddress, card: testCards.succeeds },
        { headers: shopper.headers },
      );
    expect(order?.state).toBe(OrderState.CONFIRMED);
    expect(order?.trackingId).toMatch(/^SM[A-Z0-9]{10}$/);

    const { shipment } = await mesh
      .direct(ShippingService, "shipping")
      .getShipment({ lookup: { case: "orderId", value: order?.id ?? "" } });
    expect(shipment).toMatchObject({ orderId: order?.id, trackingId: order?.trackingId, status: ShipmentStatus.CREATED });
    expect(shipment?.cost).toEqual(order?.shippingCost);
    // The Go service's own log line of the call, in the kit's fields, under the order's request id.
    const lines = ["shipping", "shipping-2"]
      .flatMap((replica) => mesh.shop.output(replica).split("\n"))
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "info",
        service: "shipping",
        msg: "rpc",
        method: "/shop.shipping.v1.ShippingService/CreateShipment",
        code: "OK",
        request_id: expect.any(String),
        duration_ms: expect.any(Number),
      }),
    );
    await checkShopInvariants(mesh);
  }, 60_000);

  it("drains on a rolling restart: no quote fails while the Go service restarts", async () => {
    const shipping = mesh.grpc(ShippingService);
    const items = [{ sku: "MUG-001", quantity: 1 }];
    const failures: string[] = [];
    let calls = 0;
    let restarting = true;
    const load = (async () => {
      while (restarting) {
        calls++;
        await shipping.getQuote({ address: testAddress, items }).catch((err: unknown) => failures.push(String(err)));
      }
    })();
    await mesh.shop.restartService("shipping");
    restarting = false;
    await load;
    expect(calls).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  }, 60_000);
});
