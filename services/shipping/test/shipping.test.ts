// ShippingService served for real: FerretDB (or MONGO_URL) behind it, called through the kit's
// typed client, a grpc.health.v1 client and the grpcurl binary.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { MongoClient } from "mongodb";
import { PreconditionFailureSchema, ResourceInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import type { AddressSchema, LineItemSchema } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import { ShipmentStatus, ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { createGrpcClient, createLogger, fieldViolations, type GrpcClient, type RunningService } from "@shopmesh/kit";
import { grpcurl, healthClient, rejection, startMongo, testAddress, type HealthProbe, type TestStore } from "@shopmesh/testkit";
import { startShipping } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { shipmentsCollection } from "../src/store/mongo-shipment-store.js";
import { shipmentIdFor } from "../src/shipment-id.js";
import { newTrackingId, trackingIdPattern } from "../src/tracking-id.js";

type AddressInit = MessageInitShape<typeof AddressSchema>;
type ItemInit = MessageInitShape<typeof LineItemSchema>;

const address: AddressInit = testAddress;
const items: ItemInit[] = [
  { sku: "MUG-001", quantity: 2 },
  { sku: "CAP-002", quantity: 1 },
];

/** The code and the violated fields of a failed call. */
async function invalid(promise: Promise<unknown>): Promise<{ code: Code; fields: string[] }> {
  const err = await rejection(promise);
  return { code: err.code, fields: fieldViolations(err).map((v) => v.field) };
}

const run = randomUUID().slice(0, 8);
const orderId = (name: string): string => `order-${name}-${run}`;

describe("the shipping service", () => {
  let mongo: TestStore;
  let db: MongoClient;
  let app: RunningService;
  let client: GrpcClient<typeof ShippingService>;
  let health: HealthProbe;
  /** Tracking ids the service hands out next, before random ones. */
  const nextTrackingIds: string[] = [];
  const dbName = `shipping_test_${run}`;

  beforeAll(async () => {
    mongo = await startMongo();
    const config = loadConfig({
      GRPC_PORT: "0",
      MONGO_URL: mongo.url,
      MONGO_DB: dbName,
      PROBE_INTERVAL_MS: "100",
      SHUTDOWN_GRACE_MS: "1000",
    });
    app = await startShipping(config, createLogger("shipping", "silent"), {
      mongo: { serverSelectionTimeoutMs: 500 },
      service: { newTrackingId: () => nextTrackingIds.shift() ?? newTrackingId() },
    });
    client = createGrpcClient(ShippingService, app.server.address, { defaultTimeoutMs: 5_000 });
    health = healthClient(app.server.address);
    db = new MongoClient(mongo.url, { serverSelectionTimeoutMS: 2_000 });
  });

  afterAll(async () => {
    client?.close();
    health?.close();
    await app?.stop();
    await db
      ?.db(dbName)
      .dropDatabase()
      .catch(() => undefined);
    await db?.close();
    await mongo?.dispose();
  });

  const shipmentsOf = (order: string) => db.db(dbName).collection(shipmentsCollection).countDocuments({ order_id: order });

  describe("GetQuote", () => {
    it("quotes US dollars in whole cents and a transit time, the same every time", async () => {
      const quote = await client.getQuote({ address, items });
      // Domestic: 4.99 base + 3 units × 0.99.
      expect(quote.cost).toMatchObject({ currencyCode: "USD", units: 7n, nanos: 960_000_000 });
      expect(quote.estimatedDays).toBe(3);
      expect(await client.getQuote({ address, items })).toEqual(quote);
    });

    it("depends on the units and the region only", async () => {
      const cost = async (a: AddressInit, i: ItemInit[]): Promise<number> => {
        const { cost } = await client.getQuote({ address: a, items: i });
        return Number(cost?.units) * 100 + (cost?.nanos ?? 0) / 10_000_000;
      };
      const base = await cost(address, items);
      expect(await cost(address, [{ sku: "HAT-003", quantity: 3 }])).toBe(base);
      expect(await cost({ ...address, city: "Boston", postalCode: "02108" }, items)).toBe(base);
      expect(await cost(address, [...items, { sku: "HAT-003", quantity: 1 }])).toBeGreaterThan(base);
      expect(await cost({ ...address, regionCode: "DE", postalCode: "10115" }, items)).toBeGreaterThan(base);
      expect(await cost({ ...address, regionCode: "JP", postalCode: "" }, items)).toBeGreaterThan(
        await cost({ ...address, regionCode: "DE", postalCode: "10115" }, items),
      );
    });

    it("answers bad input with INVALID_ARGUMENT naming each field", async () => {
      const bad = InvalidArgument;
      expect(await invalid(client.getQuote({ items }))).toEqual(bad(["address"]));
      expect(await invalid(client.getQuote({ address: { ...address, regionCode: "XX" }, items }))).toEqual(bad(["address.region_code"]));
      expect(await invalid(client.getQuote({ address: { ...address, regionCode: "us" }, items }))).toEqual(bad(["address.region_code"]));
      expect(await invalid(client.getQuote({ address: { ...address, postalCode: "9410" }, items }))).toEqual(bad(["address.postal_code"]));
      expect(await invalid(client.getQuote({ address: { ...address, postalCode: "" }, items }))).toEqual(bad(["address.postal_code"]));
      expect(await invalid(client.getQuote({ address: { ...address, streetLines: [] }, items }))).toEqual(bad(["address.street_lines"]));
      expect(await invalid(client.getQuote({ address: { ...address, streetLines: ["ok", " "] }, items }))).toEqual(
        bad(["address.street_lines[1]"]),
      );
      expect(await invalid(client.getQuote({ address: { ...address, recipientName: "", city: "x".repeat(101) }, items }))).toEqual(
        bad(["address.recipient_name", "address.city"]),
      );
      expect(await invalid(client.getQuote({ address, items: [] }))).toEqual(bad(["items"]));
      const fiftyOne = Array.from({ length: 51 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 }));
      expect(await invalid(client.getQuote({ address, items: fiftyOne }))).toEqual(bad(["items"]));
      expect(await invalid(client.getQuote({ address, items: [{ sku: "MUG-001", quantity: 0 }] }))).toEqual(bad(["items[0].quantity"]));
      expect(await invalid(client.getQuote({ address, items: [{ sku: "MUG-001", quantity: 100 }] }))).toEqual(bad(["items[0].quantity"]));
      expect(await invalid(client.getQuote({ address, items: [items[0]!, { sku: "mug", quantity: 1 }] }))).toEqual(bad(["items[1].sku"]));
    });

    it("says what is wrong in the status message too", async () => {
      const err = await rejection(client.getQuote({ address: { ...address, regionCode: "EU" }, items }));
      expect(err.rawMessage).toBe('invalid address.region_code: "EU" is not an assigned ISO 3166-1 alpha-2 code');
    });
  });

  describe("CreateShipment", () => {
    it("creates a shipment with a tracking id, costed as GetQuote quotes it", async () => {
      const before = Date.now();
      const { shipment } = await client.createShipment({ orderId: orderId("new"), address, items });
      const quote = await client.getQuote({ address, items });
      expect(shipment?.id).not.toBe("");
      expect(shipment?.trackingId).toMatch(trackingIdPattern);
      expect(shipment).toMatchObject({ orderId: orderId("new"), address, items, status: ShipmentStatus.CREATED });
      expect(shipment?.cost).toEqual(quote.cost);
      const created = Number(shipment?.createTime?.seconds) * 1000;
      expect(created).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(created).toBeLessThanOrEqual(Date.now());
    });

    it("gives every shipment its own id and tracking id", async () => {
      const a = await client.createShipment({ orderId: orderId("a"), address, items });
      const b = await client.createShipment({ orderId: orderId("b"), address, items });
      expect(a.shipment?.id).not.toBe(b.shipment?.id);
      expect(a.shipment?.trackingId).not.toBe(b.shipment?.trackingId);
    });

    it("returns the existing shipment for the same order, address and items, creating nothing", async () => {
      const first = await client.createShipment({ orderId: orderId("replay"), address, items });
      const again = await client.createShipment({ orderId: orderId("replay"), address, items });
      // Items are compared as a set: another order of the same items is the same request.
      const reordered = await client.createShipment({ orderId: orderId("replay"), address, items: [...items].reverse() });
      expect(again).toEqual(first);
      expect(reordered).toEqual(first);
      expect(await shipmentsOf(orderId("replay"))).toBe(1);
    });

    it("stores exactly one shipment when ten calls for one order race", async () => {
      const order = orderId("race");
      const responses = await Promise.all(Array.from({ length: 10 }, () => client.createShipment({ orderId: order, address, items })));
      expect(await shipmentsOf(order)).toBe(1);
      for (const response of responses) expect(response).toEqual(responses[0]);
      const stored = await client.getShipment({ lookup: { case: "orderId", value: order } });
      expect(stored.shipment).toEqual(responses[0]?.shipment);
    });

    it("refuses a replay with another address or other items: FAILED_PRECONDITION on the order", async () => {
      const order = orderId("conflict");
      const { shipment } = await client.createShipment({ orderId: order, address, items });
      const attempts = [
        { address: { ...address, streetLines: ["2 Market St"] }, items },
        { address: { ...address, regionCode: "CA", postalCode: "K1A 0B1" }, items },
        { address, items: [{ sku: "MUG-001", quantity: 3 }, items[1]!] },
        { address, items: [items[0]!] },
      ];
      for (const attempt of attempts) {
        const err = await rejection(client.createShipment({ orderId: order, ...attempt }));
        expect(err.code).toBe(Code.FailedPrecondition);
        expect(err.rawMessage).toContain(`order ${order} already has shipment ${shipment?.id}`);
        const violations = err.findDetails(PreconditionFailureSchema).flatMap((d) => d.violations);
        expect(violations).toEqual([expect.objectContaining({ type: "SHIPMENT", subject: `order/${order}` })]);
      }
      expect(await shipmentsOf(order)).toBe(1);
      const stored = await client.getShipment({ lookup: { case: "orderId", value: order } });
      expect(stored.shipment).toEqual(shipment);
    });

    it("retries with a new tracking id when the one drawn is taken", async () => {
      const { shipment: first } = await client.createShipment({ orderId: orderId("drawn-1"), address, items });
      nextTrackingIds.push(first!.trackingId);
      const { shipment: second } = await client.createShipment({ orderId: orderId("drawn-2"), address, items });
      expect(nextTrackingIds).toEqual([]);
      expect(second?.trackingId).toMatch(trackingIdPattern);
      expect(second?.trackingId).not.toBe(first?.trackingId);
    });

    it("answers bad input with INVALID_ARGUMENT naming each field, and stores nothing", async () => {
      const bad = InvalidArgument;
      expect(await invalid(client.createShipment({ orderId: "", address, items }))).toEqual(bad(["order_id"]));
      expect(await invalid(client.createShipment({ orderId: "o".repeat(65), address, items }))).toEqual(bad(["order_id"]));
      expect(await invalid(client.createShipment({ orderId: orderId("bad"), items }))).toEqual(bad(["address"]));
      expect(await invalid(client.createShipment({ orderId: orderId("bad"), address: { ...address, streetLines: [] }, items }))).toEqual(
        bad(["address.street_lines"]),
      );
      expect(
        await invalid(client.createShipment({ orderId: orderId("bad"), address: { ...address, postalCode: "ABCDE" }, items })),
      ).toEqual(bad(["address.postal_code"]));
      expect(await invalid(client.createShipment({ orderId: orderId("bad"), address, items: [] }))).toEqual(bad(["items"]));
      const fourth = [...items, { sku: "HAT-003", quantity: 1 }, { sku: "x", quantity: 1 }];
      expect(await invalid(client.createShipment({ orderId: orderId("bad"), address, items: fourth }))).toEqual(bad(["items[3].sku"]));
      const repeated = [...items, { sku: "MUG-001", quantity: 5 }];
      expect(await invalid(client.createShipment({ orderId: orderId("bad"), address, items: repeated }))).toEqual(bad(["items[2].sku"]));
      expect(await invalid(client.createShipment({ orderId: orderId("bad"), address, items: [{ sku: "MUG-001", quantity: -1 }] }))).toEqual(
        bad(["items[0].quantity"]),
      );
      expect(await invalid(client.createShipment({ orderId: "", items: [] }))).toEqual(bad(["order_id", "address", "items"]));
      expect(await shipmentsOf(orderId("bad"))).toBe(0);
    });

    it("accepts an order id of 64 characters, counted in code points", async () => {
      const long = `${"é".repeat(32)}${"😀".repeat(32)}`;
      const { shipment } = await client.createShipment({ orderId: long, address, items });
      expect(shipment?.orderId).toBe(long);
    });
  });

  describe("CancelShipment", () => {
    it("cancels an order's shipment: GetShipment shows it CANCELLED and a replay of CreateShipment is refused", async () => {
      const order = orderId("cancel");
      const { shipment } = await client.createShipment({ orderId: order, address, items });

      const { shipment: cancelled } = await client.cancelShipment({ orderId: order });

      expect(cancelled).toMatchObject({ id: shipment?.id, orderId: order, status: ShipmentStatus.CANCELLED });
      expect((await client.getShipment({ lookup: { case: "shipmentId", value: shipment?.id ?? "" } })).shipment).toEqual(cancelled);
      const err = await rejection(client.createShipment({ orderId: order, address, items }));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(err.findDetails(PreconditionFailureSchema)[0]?.violations).toEqual([
        expect.objectContaining({
          type: "CANCELLED",
          subject: `order/${order}`,
          description: `the shipment of order ${order} was cancelled`,
        }),
      ]);
      expect(await shipmentsOf(order)).toBe(1);
    });

    it("cancels an order without a shipment: nothing to return, and a later CreateShipment is refused", async () => {
      const order = orderId("cancel-first");
      expect((await client.cancelShipment({ orderId: order })).shipment).toBeUndefined();
      expect((await rejection(client.createShipment({ orderId: order, address, items }))).code).toBe(Code.FailedPrecondition);
    });

    it.each([
      ["an empty order id", ""],
      ["an order id of 65 characters", "o".repeat(65)],
    ])("answers %s with INVALID_ARGUMENT on order_id", async (_name, order) => {
      expect(await invalid(client.cancelShipment({ orderId: order }))).toEqual({ code: Code.InvalidArgument, fields: ["order_id"] });
    });
  });

  describe("GetShipment", () => {
    it("finds a shipment by its id and by its order's id", async () => {
      const { shipment } = await client.createShipment({ orderId: orderId("lookup"), address, items });
      expect(shipment?.id).toBe(shipmentIdFor(orderId("lookup")));
      const byId = await client.getShipment({ lookup: { case: "shipmentId", value: shipment!.id } });
      const byOrder = await client.getShipment({ lookup: { case: "orderId", value: orderId("lookup") } });
      expect(byId.shipment).toEqual(shipment);
      expect(byOrder.shipment).toEqual(shipment);
    });

    it("answers NOT_FOUND naming the id", async () => {
      const byId = await rejection(client.getShipment({ lookup: { case: "shipmentId", value: "no-such-shipment" } }));
      expect(byId.code).toBe(Code.NotFound);
      expect(byId.rawMessage).toBe("shipment no-such-shipment not found");
      expect(byId.findDetails(ResourceInfoSchema)).toEqual([
        expect.objectContaining({ resourceType: "shop.shipping.v1.Shipment", resourceName: "no-such-shipment" }),
      ]);
      const byOrder = await rejection(client.getShipment({ lookup: { case: "orderId", value: orderId("unshipped") } }));
      expect(byOrder.code).toBe(Code.NotFound);
      expect(byOrder.rawMessage).toBe(`order ${orderId("unshipped")} has no shipment`);
      expect(byOrder.findDetails(ResourceInfoSchema)[0]?.resourceName).toBe(`order/${orderId("unshipped")}`);
    });

    it("answers bad input with INVALID_ARGUMENT naming the field", async () => {
      const bad = InvalidArgument;
      expect(await invalid(client.getShipment({}))).toEqual(bad(["lookup"]));
      expect(await invalid(client.getShipment({ lookup: { case: "shipmentId", value: "" } }))).toEqual(bad(["shipment_id"]));
      expect(await invalid(client.getShipment({ lookup: { case: "shipmentId", value: "s".repeat(65) } }))).toEqual(bad(["shipment_id"]));
      expect(await invalid(client.getShipment({ lookup: { case: "orderId", value: "" } }))).toEqual(bad(["order_id"]));
      expect(await invalid(client.getShipment({ lookup: { case: "orderId", value: "o".repeat(65) } }))).toEqual(bad(["order_id"]));
    });
  });

  describe("through grpcurl", () => {
    it("lists and describes the service and gets a quote", async () => {
      const list = await grpcurl([app.server.address, "list"]);
      expect(list.stdout.split("\n")).toContain("shop.shipping.v1.ShippingService");
      const describe_ = await grpcurl([app.server.address, "describe", "shop.shipping.v1.ShippingService"]);
      expect(describe_.exitCode).toBe(0);
      expect(describe_.stdout).toContain("rpc CreateShipment ( .shop.shipping.v1.CreateShipmentRequest )");
      const call = await grpcurl([app.server.address, "shop.shipping.v1.ShippingService/GetQuote"], {
        data: {
          address: { recipient_name: "Ada", street_lines: ["Unter den Linden 1"], city: "Berlin", postal_code: "10117", region_code: "DE" },
          items: [{ sku: "MUG-001", quantity: 2 }],
        },
      });
      expect(call.exitCode).toBe(0);
      // EU: 14.99 base + 2 units × 1.99.
      expect(JSON.parse(call.stdout)).toEqual({ cost: { currencyCode: "USD", units: "18", nanos: 970000000 }, estimatedDays: 7 });
    });

    it("shows the field violations of a bad call", async () => {
      const call = await grpcurl([app.server.address, "shop.shipping.v1.ShippingService/GetShipment"], { data: {} });
      expect(call.exitCode).not.toBe(0);
      expect(call.stderr).toContain("Code: InvalidArgument");
      expect(call.stderr).toContain('"field": "lookup"');
    });
  });

  // Last: it stops the store.
  describe("when MongoDB stops", () => {
    it("turns NOT_SERVING and answers UNAVAILABLE, then serves again once it is back", async () => {
      if (!mongo.managed) return; // MONGO_URL given: the test cannot stop that server.
      const { shipment } = await client.createShipment({ orderId: orderId("outage"), address, items });
      await health.waitFor("SERVING");
      await mongo.stop();
      await health.waitFor("NOT_SERVING");
      expect(await health.check("shop.shipping.v1.ShippingService")).toBe("NOT_SERVING");
      const lookup = await rejection(client.getShipment({ lookup: { case: "shipmentId", value: shipment!.id } }));
      expect(lookup.code).toBe(Code.Unavailable);
      expect(lookup.rawMessage).toBe("shipping store is unavailable; try again shortly");
      const create = await rejection(client.createShipment({ orderId: orderId("during-outage"), address, items }));
      expect(create.code).toBe(Code.Unavailable);
      // A quote needs no store.
      expect((await client.getQuote({ address, items })).estimatedDays).toBe(3);
      await mongo.start();
      await health.waitFor("SERVING");
      const after = await client.getShipment({ lookup: { case: "shipmentId", value: shipment!.id } });
      expect(after.shipment).toEqual(shipment);
      expect((await client.createShipment({ orderId: orderId("during-outage"), address, items })).shipment?.orderId).toBe(
        orderId("during-outage"),
      );
    });
  });
});

function InvalidArgument(fields: string[]): { code: Code; fields: string[] } {
  return { code: Code.InvalidArgument, fields };
}
