// The shop as its users reach it: only through the Envoy gateway, with grpc-js, gRPC-web and
// grpcurl. Brings the whole mesh up on its own port base and tears it down.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { NotificationKind, NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderService, OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { UserService } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import { fieldViolations, identityHeader } from "@shopmesh/kit";
import { faultHeader, serviceNamed } from "@shopmesh/mesh";
import { eventually, grpcurl, rejection, testAddress, testCards } from "@shopmesh/testkit";
import { newShopper, startTestMesh, timed, type TestMesh } from "./support.js";
import { checkShopInvariants } from "./invariants.js";

let mesh: TestMesh;

beforeAll(async () => {
  mesh = await startTestMesh();
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
}, 60_000);

describe("grpcurl through the gateway", () => {
  it("lists all eight shop services", async () => {
    const res = await grpcurl([mesh.shop.gatewayAddress, "list"]);
    expect(res.exitCode).toBe(0);
    const listed = res.stdout.trim().split("\n");
    for (const name of ["cart", "catalog", "inventory", "notification", "order", "payment", "shipping", "user"]) {
      expect(listed).toContain(`shop.${name}.v1.${name[0]?.toUpperCase()}${name.slice(1)}Service`);
    }
  });

  it("describes a service and makes a real call", async () => {
    const described = await grpcurl([mesh.shop.gatewayAddress, "describe", "shop.order.v1.OrderService"]);
    expect(described.stdout).toContain("rpc PlaceOrder");
    const call = await grpcurl([mesh.shop.gatewayAddress, "shop.catalog.v1.CatalogService/ListProducts"], { data: { page_size: 2 } });
    expect(call.exitCode).toBe(0);
    expect((JSON.parse(call.stdout) as { products: unknown[] }).products).toHaveLength(2);
  });
});

describe("placing an order through the mesh", () => {
  const placeOrderVia = async (client: "grpc" | "web"): Promise<void> => {
    const shopper = await newShopper(mesh);
    const catalog = client === "grpc" ? mesh.grpc(CatalogService) : mesh.web(CatalogService);
    const cart = client === "grpc" ? mesh.grpc(CartService) : mesh.web(CartService);
    const orders = client === "grpc" ? mesh.grpc(OrderService) : mesh.web(OrderService);
    const notifications = client === "grpc" ? mesh.grpc(NotificationService) : mesh.web(NotificationService);

    const { products } = await catalog.listProducts({ pageSize: 2 });
    for (const product of products) await cart.addItem({ productId: product.id, quantity: 2 }, { headers: shopper.headers });
    const { order } = await orders.placeOrder(
      { requestId: `mesh-${client}-${Date.now()}`, shippingAddress: testAddress, card: testCards.succeeds },
      { headers: shopper.headers },
    );
    expect(order?.state).toBe(OrderState.CONFIRMED);
    expect(order?.lines.map((l) => l.productId).sort()).toEqual(products.map((p) => p.id).sort());
    expect(order?.trackingId).not.toBe("");

    const fetched = await orders.getOrder({ orderId: order?.id ?? "" }, { headers: shopper.headers });
    expect(fetched.order?.state).toBe(OrderState.CONFIRMED);
    expect((await cart.getCart({}, { headers: shopper.headers })).cart?.lines ?? []).toHaveLength(0);
    await eventually(
      async () => {
        const { notifications: list } = await notifications.listNotifications({}, { headers: shopper.headers });
        expect(list.map((n) => n.kind)).toContain(NotificationKind.ORDER_CONFIRMED);
        return true;
      },
      { timeoutMs: 15_000 },
    );
    await checkShopInvariants(mesh);
  };

  it("works over gRPC (grpc-js)", () => placeOrderVia("grpc"), 60_000);
  it("works over gRPC-web (Connect's web transport)", () => placeOrderVia("web"), 60_000);

  it("delivers a notification live over a gRPC-web server stream", async () => {
    const shopper = await newShopper(mesh);
    // Send on the user's behalf, directly to the (internal) notification service. Subscribing
    // after the first one makes the second arrive whether it is sent before or after the stream
    // is registered: nothing here depends on timing.
    const notify = mesh.direct(NotificationService, "notification");
    const first = await notify.sendNotification({ userId: shopper.userId, kind: NotificationKind.GENERIC, text: "before subscribing" });
    const controller = new AbortController();
    const received: string[] = [];
    const stream = (async () => {
      try {
        const after = { afterId: first.notification?.id ?? "" };
        for await (const res of mesh.web(NotificationService).subscribe(after, { headers: shopper.headers, signal: controller.signal })) {
          received.push(res.notification?.text ?? "");
        }
      } catch (err) {
        if (!controller.signal.aborted) throw err;
      }
    })();
    await notify.sendNotification({ userId: shopper.userId, kind: NotificationKind.GENERIC, text: "hello through the mesh" });
    await eventually(
      () => {
        expect(received).toEqual(["hello through the mesh"]);
        return true;
      },
      { timeoutMs: 10_000 },
    );
    controller.abort();
    await stream;
  }, 30_000);
});

describe("authentication at the gateway", () => {
  it("refuses user calls without a token, or with a bad one", async () => {
    expect((await rejection(mesh.grpc(CartService).getCart({}))).code).toBe(Code.Unauthenticated);
    expect((await rejection(mesh.grpc(CartService).getCart({}, { headers: { authorization: "Bearer not.a.jwt" } }))).code).toBe(
      Code.Unauthenticated,
    );
    expect((await rejection(mesh.web(OrderService).listOrders({}))).code).toBe(Code.Unauthenticated);
  });

  it("ignores an identity header sent by a client", async () => {
    const alice = await newShopper(mesh);
    const bob = await newShopper(mesh);
    expect((await rejection(mesh.grpc(UserService).getMe({}, { headers: { [identityHeader]: alice.userId } }))).code).toBe(
      Code.Unauthenticated,
    );
    const me = await mesh.grpc(UserService).getMe({}, { headers: { ...bob.headers, [identityHeader]: alice.userId } });
    expect(me.user?.id).toBe(bob.userId);
  });

  it("does not let one user see another's order", async () => {
    const alice = await newShopper(mesh);
    const bob = await newShopper(mesh);
    const { products } = await mesh.grpc(CatalogService).listProducts({ pageSize: 1 });
    await mesh.grpc(CartService).addItem({ productId: products[0]?.id ?? "", quantity: 1 }, { headers: alice.headers });
    const { order } = await mesh
      .grpc(OrderService)
      .placeOrder({ requestId: `alice-${Date.now()}`, shippingAddress: testAddress, card: testCards.succeeds }, { headers: alice.headers });
    const err = await rejection(mesh.grpc(OrderService).getOrder({ orderId: order?.id ?? "" }, { headers: bob.headers }));
    expect(err.code).toBe(Code.NotFound);
    await checkShopInvariants(mesh);
  }, 30_000);

  it("keeps internal services off the gateway, even for a signed-in user", async () => {
    const shopper = await newShopper(mesh);
    const token = shopper.headers["authorization"] ?? "";
    for (const method of ["shop.inventory.v1.InventoryService/GetStock", "shop.catalog.v1.CatalogService/UpsertProduct"]) {
      const res = await grpcurl(["-H", `authorization: ${token}`, mesh.shop.gatewayAddress, method], { data: {} });
      expect(res.exitCode).not.toBe(0);
      expect(res.stderr).toContain("Code: Unimplemented");
    }
  });

  it("requires a token on a user method whatever the request looks like", async () => {
    const path = "/shop.notification.v1.NotificationService/ListNotifications";
    for (const [method, target] of [
      ["OPTIONS", path],
      ["POST", `//${path.slice(1)}`],
      ["POST", "/grpc.reflection.v1.ServerReflection/../../shop.notification.v1.NotificationService/ListNotifications"],
    ] as const) {
      const res = await fetch(`http://${mesh.shop.gatewayAddress}${target}`, {
        method,
        headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", [identityHeader]: "someone-else" },
        ...(method === "POST" ? { body: new Uint8Array([0, 0, 0, 0, 0]) } : {}),
      });
      // Refused by the gateway's JWT check (HTTP 401), before any service sees the request.
      expect({ method, target, status: res.status }).toEqual({ method, target, status: 401 });
      await res.arrayBuffer();
    }
  });
});

describe("bad input through the gateway", () => {
  it("gets INVALID_ARGUMENT with the field violation over gRPC and over gRPC-web", async () => {
    for (const catalog of [mesh.grpc(CatalogService), mesh.web(CatalogService)]) {
      const err = await rejection(catalog.searchProducts({ query: "" }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(err).map((v) => v.field)).toContain("query");
    }
  });
});

describe("resilience", () => {
  it("absorbs a single transient UNAVAILABLE with a retry, for idempotent calls only", async () => {
    // Only calls marked for it, and only their first attempt: the other tests' calls are untouched.
    await mesh.faults.on("unavailable-once");
    const fault = { headers: { [faultHeader]: "unavailable-once" } };
    const retriesBefore = await gatewayStat("cluster.catalog_ingress.upstream_rq_retry");
    const { products } = await mesh.grpc(CatalogService).listProducts({ pageSize: 1 }, fault);
    expect(products).toHaveLength(1);
    expect(await gatewayStat("cluster.catalog_ingress.upstream_rq_retry")).toBe(retriesBefore + 1);

    const shopper = await newShopper(mesh);
    const err = await rejection(
      mesh
        .grpc(CartService)
        .addItem({ productId: products[0]?.id ?? "", quantity: 1 }, { headers: { ...shopper.headers, ...fault.headers } }),
    );
    expect(err.code).toBe(Code.Unavailable);
    await mesh.faults.off("unavailable-once");
  });

  it("fails fast while every replica of a service is down, keeps the rest serving, and recovers after a restart", async () => {
    const shopper = await newShopper(mesh);
    const { products } = await mesh.grpc(CatalogService).listProducts({ pageSize: 1 });
    const productId = products[0]?.id ?? "";
    const replicas = serviceNamed(mesh.shop.topology, "cart").replicas.map((r) => r.name);
    for (const replica of replicas) await mesh.shop.kill(replica);

    const down = await timed(mesh.grpc(CartService).addItem({ productId, quantity: 1 }, { headers: shopper.headers }));
    expect(ConnectError.from(down.error).code).toBe(Code.Unavailable);
    expect(down.ms).toBeLessThan(1_000);
    const unaffected = await timed(mesh.grpc(CatalogService).getProduct({ id: productId }));
    expect(unaffected.value?.product?.id).toBe(productId);

    // Back within seconds of the restart, without restarting anything else (eventually fails after 10 s).
    for (const replica of replicas) await mesh.shop.restart(replica);
    await eventually(() => mesh.grpc(CartService).addItem({ productId, quantity: 1 }, { headers: shopper.headers }), {
      timeoutMs: 10_000,
      intervalMs: 200,
    });
  }, 60_000);
});

async function gatewayStat(name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${mesh.shop.topology.gateway.adminPort}/stats?filter=^${name.replace(/\./g, "\\.")}$`);
  const match = /: (\d+)/.exec(await res.text());
  return Number(match?.[1] ?? 0);
}
