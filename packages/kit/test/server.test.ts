// The kit serving real shop contracts over grpc-js, checked through its typed client, a raw
// grpc-js client, a grpc.health.v1 client and the real grpcurl binary.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import * as grpc from "@grpc/grpc-js";
import { Code } from "@connectrpc/connect";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { asUser, captureLogs, eventually, grpcurl, healthClient, rejection, type HealthProbe } from "@shopmesh/testkit";
import {
  createGrpcClient,
  createShopServer,
  fieldViolations,
  identityHeader,
  register,
  type GrpcClient,
  type ShopServer,
} from "../src/index.js";
import { createDemoCatalog, createDemoNotifications, newObserved, type Observed } from "./fixtures/demo-services.js";

describe("a kit server", () => {
  let server: ShopServer;
  let catalog: GrpcClient<typeof CatalogService>;
  let notifications: GrpcClient<typeof NotificationService>;
  let health: HealthProbe;
  let observed: Observed;
  let logs: ReturnType<typeof captureLogs>;
  let storeUp = true;

  beforeAll(async () => {
    observed = newObserved();
    logs = captureLogs();
    server = createShopServer({
      name: "demo",
      logger: logs.logger,
      port: 0,
      services: [register(CatalogService, createDemoCatalog(observed)), register(NotificationService, createDemoNotifications(observed))],
      probes: [
        {
          name: "store",
          check: async () => {
            if (!storeUp) throw new Error("connection refused");
          },
        },
      ],
      probeIntervalMs: 50,
      shutdownGraceMs: 1_000,
      streamDrainTimeoutMs: 300,
    });
    await server.start();
    catalog = createGrpcClient(CatalogService, server.address, { defaultTimeoutMs: 5_000 });
    notifications = createGrpcClient(NotificationService, server.address, { defaultTimeoutMs: 5_000 });
    health = healthClient(server.address);
  });

  afterAll(async () => {
    catalog.close();
    notifications.close();
    health.close();
    await server.stop();
  });

  describe("unary calls through the typed client", () => {
    it("returns the handler's message, money and all", async () => {
      const res = await catalog.getProduct({ id: "p-1" });
      expect(res.product?.sku).toBe("MUG-001");
      expect(res.product?.price).toMatchObject({ currencyCode: "USD", units: 12n, nanos: 500_000_000 });
    });

    it("carries a ConnectError's code and message to the client", async () => {
      const err = await rejection(catalog.getProduct({ id: "nope" }));
      expect(err.code).toBe(Code.NotFound);
      expect(err.rawMessage).toBe("product nope not found");
    });

    it("answers bad input with INVALID_ARGUMENT and one field violation per bad field", async () => {
      const err = await rejection(catalog.upsertProduct({ product: { name: " ", sku: "bad sku" } }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toContain("invalid product.name");
      expect(fieldViolations(err).map((v) => v.field)).toEqual(["product.name", "product.sku"]);
    });

    it("hides unexpected errors behind INTERNAL and logs the cause", async () => {
      const err = await rejection(catalog.getProduct({ id: "boom" }, { headers: { "x-request-id": "req-boom" } }));
      expect(err.code).toBe(Code.Internal);
      expect(err.rawMessage).toBe("internal error");
      expect(err.message).not.toContain("hunter2");
      const line = logs.lines().find((l) => l["request_id"] === "req-boom");
      expect(line).toMatchObject({ level: 50, code: "INTERNAL", method: "/shop.catalog.v1.CatalogService/GetProduct" });
      expect(JSON.stringify(line?.["err"])).toContain("hunter2");
    });

    it("answers an undecodable request with INVALID_ARGUMENT, not a crash", async () => {
      const raw = new grpc.Client(server.address, grpc.credentials.createInsecure());
      const status = await new Promise<grpc.ServiceError | null>((resolve) =>
        raw.makeUnaryRequest(
          "/shop.catalog.v1.CatalogService/GetProduct",
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff]),
          (err) => resolve(err),
        ),
      );
      raw.close();
      expect(status?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(status?.details).toContain("malformed shop.catalog.v1.GetProductRequest");
    });

    it("passes request headers to the handler and response headers and trailers back", async () => {
      const seen: Headers[] = [];
      await catalog.getProduct(
        { id: "trailers" },
        { headers: { "x-request-id": "req-7" }, onHeader: (h) => seen.push(h), onTrailer: (t) => seen.push(t) },
      );
      expect(observed.lastHeaders?.get("x-request-id")).toBe("req-7");
      expect(seen.map((h) => h.get("x-demo-header") ?? h.get("x-demo-trailer"))).toEqual(["h", "t"]);
    });

    it("logs one line per RPC with method, code, duration and request id", async () => {
      await catalog.getProduct({ id: "p-1" }, { headers: { "x-request-id": "req-log" } });
      const lines = logs.lines().filter((l) => l["request_id"] === "req-log");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ msg: "rpc", method: "/shop.catalog.v1.CatalogService/GetProduct", code: "OK" });
      expect(typeof lines[0]?.["duration_ms"]).toBe("number");
    });
  });

  describe("identity", () => {
    it("gives caller-scoped handlers the user from the identity header", async () => {
      const res = await notifications.listNotifications({}, asUser("user-1"));
      expect(res.notifications[0]?.text).toBe("hello user-1");
    });

    it("answers UNAUTHENTICATED without an identity, or with a malformed one", async () => {
      expect((await rejection(notifications.listNotifications({}))).code).toBe(Code.Unauthenticated);
      expect((await rejection(notifications.listNotifications({}, asUser("bob smith")))).code).toBe(Code.Unauthenticated);
      expect((await rejection(notifications.listNotifications({}, asUser("x".repeat(200))))).code).toBe(Code.Unauthenticated);
    });
  });

  describe("server streaming", () => {
    it("delivers every message in order, then ends", async () => {
      const ids: string[] = [];
      for await (const res of notifications.subscribe({ afterId: "3" }, asUser("u"))) ids.push(res.notification?.id ?? "");
      expect(ids).toEqual(["1", "2", "3"]);
    });

    it("cancels the handler when the client stops reading", async () => {
      const closedBefore = observed.streamsClosed;
      const abortsBefore = observed.aborts.length;
      let received = 0;
      for await (const _ of notifications.subscribe({ afterId: "forever" }, asUser("u"))) {
        if (++received === 3) break;
      }
      await eventually(() => observed.streamsClosed === closedBefore + 1);
      expect(observed.aborts.slice(abortsBefore)).toContainEqual(expect.objectContaining({ code: Code.Canceled }));
    });

    it("ends the stream with UNAVAILABLE when the client stops reading", async () => {
      const stream = notifications.subscribe({ afterId: "flood" }, asUser("u"))[Symbol.asyncIterator]();
      await stream.next();
      // Stop reading long enough for flow control to stall the server past its drain timeout.
      await new Promise((r) => setTimeout(r, 1_000));
      const err = await rejection(
        (async () => {
          for (;;) if ((await stream.next()).done === true) return;
        })(),
      );
      expect(err.code).toBe(Code.Unavailable);
      expect(err.rawMessage).toContain("the client read nothing for 300 ms");
    });

    it("logs a stream that ran into its deadline as DEADLINE_EXCEEDED", async () => {
      const err = await rejection(
        (async () => {
          for await (const _ of notifications.subscribe(
            { afterId: "forever" },
            { ...asUser("u"), headers: { [identityHeader]: "u", "x-request-id": "req-deadline" }, timeoutMs: 300 },
          )) {
            // read until the deadline
          }
        })(),
      );
      expect(err.code).toBe(Code.DeadlineExceeded);
      await eventually(() => logs.lines().some((l) => l["request_id"] === "req-deadline"));
      expect(logs.lines().find((l) => l["request_id"] === "req-deadline")).toMatchObject({ code: "DEADLINE_EXCEEDED" });
    });

    it("ends an unauthenticated stream with UNAUTHENTICATED", async () => {
      const err = await rejection(
        (async () => {
          for await (const _ of notifications.subscribe({ afterId: "3" })) {
            // nothing arrives
          }
        })(),
      );
      expect(err.code).toBe(Code.Unauthenticated);
    });
  });

  describe("deadlines and cancellation", () => {
    it("fails with DEADLINE_EXCEEDED at the client's deadline and aborts the handler's signal", async () => {
      const abortsBefore = observed.aborts.length;
      const started = Date.now();
      const err = await rejection(catalog.getProduct({ id: "slow" }, { timeoutMs: 200 }));
      expect(err.code).toBe(Code.DeadlineExceeded);
      expect(Date.now() - started).toBeLessThan(2_000);
      await eventually(() => observed.aborts.length > abortsBefore);
    });

    it("gives every call a deadline, even when the caller sets none", async () => {
      const abortsBefore = observed.aborts.length;
      const impatient = createGrpcClient(CatalogService, server.address, { defaultTimeoutMs: 150 });
      const err = await rejection(impatient.getProduct({ id: "slow" }));
      impatient.close();
      expect(err.code).toBe(Code.DeadlineExceeded);
      // The abort of an earlier test's handler may land meanwhile: wait for this call's own.
      await eventually(() => observed.aborts.slice(abortsBefore).some((a) => (a as { code?: unknown }).code === Code.DeadlineExceeded), {
        what: "the handler's signal aborted with DEADLINE_EXCEEDED",
      });
    });

    it("cancels a call when the caller's AbortSignal fires", async () => {
      const abortsBefore = observed.aborts.length;
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const err = await rejection(catalog.getProduct({ id: "slow" }, { signal: controller.signal }));
      expect(err.code).toBe(Code.Canceled);
      // The abort of an earlier test's handler (DEADLINE_EXCEEDED) may land meanwhile: wait for this call's own.
      await eventually(() => observed.aborts.slice(abortsBefore).some((a) => (a as { code?: unknown }).code === Code.Canceled), {
        what: "the handler's signal aborted with CANCELED",
      });
    });
  });

  describe("grpc.health.v1", () => {
    it("answers SERVING overall and per service, NOT_FOUND for a service it does not have", async () => {
      await health.waitFor("SERVING");
      expect(await health.check("")).toBe("SERVING");
      expect(await health.check("shop.catalog.v1.CatalogService")).toBe("SERVING");
      expect(await health.check("shop.notification.v1.NotificationService")).toBe("SERVING");
      await expect(health.check("shop.nope.v1.NopeService")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    });

    it("turns NOT_SERVING while a probe fails and back, and Watch streams each change", async () => {
      const watched: string[] = [];
      const watching = (async () => {
        for await (const status of health.watch("shop.catalog.v1.CatalogService")) {
          watched.push(status);
          if (watched.length === 3) break;
        }
      })();
      await eventually(() => watched.length === 1);
      storeUp = false;
      await health.waitFor("NOT_SERVING");
      storeUp = true;
      await health.waitFor("SERVING");
      await watching;
      expect(watched).toEqual(["SERVING", "NOT_SERVING", "SERVING"]);
    });
  });

  describe("server reflection with the real grpcurl", () => {
    const shopServices = [
      "shop.cart.v1.CartService",
      "shop.catalog.v1.CatalogService",
      "shop.inventory.v1.InventoryService",
      "shop.notification.v1.NotificationService",
      "shop.order.v1.OrderService",
      "shop.payment.v1.PaymentService",
      "shop.shipping.v1.ShippingService",
      "shop.user.v1.UserService",
    ];

    it("lists all eight shop services from any one server", async () => {
      const res = await grpcurl([server.address, "list"]);
      expect(res.stderr).toBe("");
      expect(res.exitCode).toBe(0);
      const listed = res.stdout.trim().split("\n");
      for (const name of shopServices) expect(listed).toContain(name);
    });

    it("describes a service this server does not even implement", async () => {
      const res = await grpcurl([server.address, "describe", "shop.order.v1.OrderService"]);
      expect(res.exitCode).toBe(0);
      expect(res.stdout).toContain("rpc PlaceOrder ( .shop.order.v1.PlaceOrderRequest ) returns ( .shop.order.v1.PlaceOrderResponse );");
    });

    it("lets grpcurl call grpc.health.v1.Health/Check", async () => {
      const res = await grpcurl([server.address, "grpc.health.v1.Health/Check"]);
      expect(res.exitCode).toBe(0);
      expect(JSON.parse(res.stdout)).toEqual({ status: "SERVING" });
    });

    it("makes a real call and prints the answer as JSON", async () => {
      const res = await grpcurl([server.address, "shop.catalog.v1.CatalogService/GetProduct"], { data: { id: "p-1" } });
      expect(res.exitCode).toBe(0);
      const body = JSON.parse(res.stdout) as { product: { sku: string; price: { units: string } } };
      expect(body.product.sku).toBe("MUG-001");
      expect(body.product.price.units).toBe("12");
    });

    it("shows a bad request's code and field violations", async () => {
      const res = await grpcurl(["-format-error", server.address, "shop.catalog.v1.CatalogService/UpsertProduct"], {
        data: { product: { name: "", sku: "MUG-002" } },
      });
      expect(res.exitCode).not.toBe(0);
      const error = JSON.parse(res.stderr) as { code: number; message: string; details: { fieldViolations: { field: string }[] }[] };
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details[0]?.fieldViolations).toEqual([{ field: "product.name", description: "must not be empty" }]);
    });
  });
});

describe("stopping a kit server", () => {
  it("finishes in-flight unary calls, ends streams with UNAVAILABLE and stops answering", async () => {
    const observed = newObserved();
    const server = createShopServer({
      name: "demo",
      logger: captureLogs().logger,
      port: 0,
      services: [register(CatalogService, createDemoCatalog(observed)), register(NotificationService, createDemoNotifications(observed))],
      shutdownGraceMs: 2_000,
    });
    await server.start();
    const catalog = createGrpcClient(CatalogService, server.address, { defaultTimeoutMs: 5_000 });
    const notifications = createGrpcClient(NotificationService, server.address, { defaultTimeoutMs: 5_000 });
    const health = healthClient(server.address);
    try {
      await health.waitFor("SERVING");
      let received = 0;
      const streaming = (async () => {
        for await (const _ of notifications.subscribe({ afterId: "forever" }, asUser("u"))) received++;
      })();
      await eventually(() => received > 0);
      const inFlight = catalog.getProduct({ id: "sleep-300" }, { headers: { "x-request-id": "req-in-flight" } });
      // Stop only once the call is inside its handler.
      await eventually(() => observed.lastHeaders?.get("x-request-id") === "req-in-flight");

      const stopped = server.stop();
      expect(server.serving).toBe(false);
      await expect(inFlight).resolves.toMatchObject({ product: { sku: "MUG-001" } });
      expect((await rejection(streaming)).code).toBe(Code.Unavailable);
      await stopped;
      await eventually(() => observed.streamsClosed === 1);
      expect((await rejection(catalog.getProduct({ id: "p-1" }, { timeoutMs: 1_000 }))).code).toBe(Code.Unavailable);
    } finally {
      catalog.close();
      notifications.close();
      health.close();
      await server.stop();
    }
  });
});
