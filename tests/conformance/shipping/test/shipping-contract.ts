// The contract of shop.shipping.v1.ShippingService (proto/shop/shipping/v1/shipping.proto), as
// black-box cases over gRPC: every RPC's success cases, every error its comments promise (codes,
// field-violation paths, precondition violations), idempotency under concurrent calls, and the
// rate table the service documents. They know the address and nothing else of the implementation
// but, where they are given it, its database: a shipment stored by an earlier version must still
// be found. node.test.ts and go.test.ts run them against each, external.test.ts against SHIPPING_ADDR.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import { MongoClient } from "mongodb";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { PreconditionFailureSchema, ResourceInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import type { AddressSchema, LineItemSchema } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import { ShipmentStatus, ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { createGrpcClient, fieldViolations, type GrpcClient } from "@shopmesh/kit";
import { grpcurl, healthClient, rejection, testAddress, type HealthProbe } from "@shopmesh/testkit";

/** Where the implementation answers, and (when the suite may stop it) its store. */
export interface ContractTarget {
  /** host:port or unix:/path. */
  readonly address: string;
  /** The implementation's store, for the outage cases; without it they are left out. */
  readonly store: { stop(): Promise<void>; start(): Promise<void> } | undefined;
  /**
   * Its database, for the case of a shipment an earlier version stored: every implementation
   * reads the documents the others wrote, so a rewrite can take over a running shop's store.
   * Without it the case is left out.
   */
  readonly database?: { readonly url: string; readonly name: string } | undefined;
}

type AddressInit = MessageInitShape<typeof AddressSchema>;
type ItemInit = MessageInitShape<typeof LineItemSchema>;

const address: AddressInit = testAddress;
const items: ItemInit[] = [
  { sku: "MUG-001", quantity: 2 },
  { sku: "CAP-002", quantity: 1 },
];
const trackingIdPattern = /^SM[A-Z0-9]{10}$/;

/** The code and the violated fields of a failed call. */
async function invalid(promise: Promise<unknown>): Promise<{ code: Code; fields: string[] }> {
  const err = await rejection(promise);
  return { code: err.code, fields: fieldViolations(err).map((v) => v.field) };
}

function bad(fields: string[]): { code: Code; fields: string[] } {
  return { code: Code.InvalidArgument, fields };
}

/** Runs the contract's cases against the target `start` gives (called once, in beforeAll). */
export function shippingContract(start: () => Promise<ContractTarget>, stop: () => Promise<void> = async () => undefined): void {
  let target: ContractTarget;
  let client: GrpcClient<typeof ShippingService>;
  let health: HealthProbe;
  const run = randomUUID().slice(0, 8);
  const orderId = (name: string): string => `order-${name}-${run}`;

  beforeAll(async () => {
    target = await start();
    client = createGrpcClient(ShippingService, target.address, { defaultTimeoutMs: 5_000 });
    health = healthClient(target.address);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    health?.close();
    await stop();
  });

  /** NOT_FOUND for the order's shipment: it has none. */
  const hasNoShipment = async (order: string): Promise<boolean> =>
    (await rejection(client.getShipment({ lookup: { case: "orderId", value: order } }))).code === Code.NotFound;

  describe("grpc.health.v1", () => {
    it("says SERVING for the server and for ShippingService", async () => {
      await health.waitFor("SERVING");
      expect(await health.check("shop.shipping.v1.ShippingService")).toBe("SERVING");
    });
  });

  describe("GetQuote", () => {
    it("quotes US dollars in whole cents and a transit time, the same every time", async () => {
      const quote = await client.getQuote({ address, items });
      // Domestic: 4.99 base + 3 units × 0.99.
      expect(quote.cost).toMatchObject({ currencyCode: "USD", units: 7n, nanos: 960_000_000 });
      expect(quote.estimatedDays).toBe(3);
      expect(await client.getQuote({ address, items })).toEqual(quote);
    });

    it("prices the EU and the rest of the world by their own rates", async () => {
      const eu = await client.getQuote({ address: { ...address, regionCode: "DE", postalCode: "10115" }, items });
      // 14.99 base + 3 units × 1.99.
      expect(eu.cost).toMatchObject({ currencyCode: "USD", units: 20n, nanos: 960_000_000 });
      expect(eu.estimatedDays).toBe(7);
      const world = await client.getQuote({ address: { ...address, regionCode: "JP", postalCode: "" }, items });
      // 24.99 base + 3 units × 2.99.
      expect(world.cost).toMatchObject({ currencyCode: "USD", units: 33n, nanos: 960_000_000 });
      expect(world.estimatedDays).toBe(12);
    });

    it("depends on the units and the region only, and never decreases when units are added", async () => {
      const cost = async (a: AddressInit, i: ItemInit[]): Promise<number> => {
        const { cost } = await client.getQuote({ address: a, items: i });
        return Number(cost?.units) * 100 + (cost?.nanos ?? 0) / 10_000_000;
      };
      const base = await cost(address, items);
      expect(await cost(address, [{ sku: "HAT-003", quantity: 3 }])).toBe(base);
      expect(await cost({ ...address, city: "Boston", postalCode: "02108" }, items)).toBe(base);
      expect(await cost(address, [...items, { sku: "HAT-003", quantity: 1 }])).toBeGreaterThan(base);
    });

    it("answers bad input with INVALID_ARGUMENT naming each field", async () => {
      expect(await invalid(client.getQuote({ items }))).toEqual(bad(["address"]));
      expect(await invalid(client.getQuote({ address: { ...address, regionCode: "XX" }, items }))).toEqual(bad(["address.region_code"]));
      expect(await invalid(client.getQuote({ address: { ...address, regionCode: "us" }, items }))).toEqual(bad(["address.region_code"]));
      expect(await invalid(client.getQuote({ address: { ...address, regionCode: "" }, items }))).toEqual(bad(["address.region_code"]));
      expect(await invalid(client.getQuote({ address: { ...address, postalCode: "9410" }, items }))).toEqual(bad(["address.postal_code"]));
      expect(await invalid(client.getQuote({ address: { ...address, postalCode: "" }, items }))).toEqual(bad(["address.postal_code"]));
      expect(await invalid(client.getQuote({ address: { ...address, streetLines: [] }, items }))).toEqual(bad(["address.street_lines"]));
      expect(await invalid(client.getQuote({ address: { ...address, streetLines: ["a", "b", "c", "d"] }, items }))).toEqual(
        bad(["address.street_lines"]),
      );
      expect(await invalid(client.getQuote({ address: { ...address, streetLines: ["ok", " "] }, items }))).toEqual(
        bad(["address.street_lines[1]"]),
      );
      expect(await invalid(client.getQuote({ address: { ...address, recipientName: "", city: "x".repeat(101) }, items }))).toEqual(
        bad(["address.recipient_name", "address.city"]),
      );
      expect(await invalid(client.getQuote({ address: { ...address, recipientName: "\u00a0\t" }, items }))).toEqual(
        bad(["address.recipient_name"]),
      );
      expect(await invalid(client.getQuote({ address, items: [] }))).toEqual(bad(["items"]));
      const fiftyOne = Array.from({ length: 51 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 }));
      expect(await invalid(client.getQuote({ address, items: fiftyOne }))).toEqual(bad(["items"]));
      expect(await invalid(client.getQuote({ address, items: [{ sku: "MUG-001", quantity: 0 }] }))).toEqual(bad(["items[0].quantity"]));
      expect(await invalid(client.getQuote({ address, items: [{ sku: "MUG-001", quantity: 100 }] }))).toEqual(bad(["items[0].quantity"]));
      expect(await invalid(client.getQuote({ address, items: [items[0]!, { sku: "mug", quantity: 1 }] }))).toEqual(bad(["items[1].sku"]));
      expect(await invalid(client.getQuote({ items: [] }))).toEqual(bad(["address", "items"]));
    });

    it("accepts 50 items, and a repeated SKU (only CreateShipment needs distinct ones)", async () => {
      const fifty = Array.from({ length: 50 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 }));
      expect((await client.getQuote({ address, items: fifty })).estimatedDays).toBe(3);
      expect((await client.getQuote({ address, items: [items[0]!, items[0]!] })).estimatedDays).toBe(3);
    });

    it("says what is wrong in the status message and the violation's description", async () => {
      const err = await rejection(client.getQuote({ address: { ...address, regionCode: "EU" }, items }));
      expect(err.rawMessage).toBe('invalid address.region_code: "EU" is not an assigned ISO 3166-1 alpha-2 code');
      const both = await rejection(client.getQuote({ address: { ...address, city: "" }, items: [{ sku: "MUG-001", quantity: 0 }] }));
      expect(both.rawMessage).toBe("invalid address.city: is required; invalid items[0].quantity: must be 1..99 (got 0)");
      expect(fieldViolations(both).map((v) => v.description)).toEqual(["is required", "must be 1..99 (got 0)"]);
    });
  });

  describe("CreateShipment", () => {
    it("creates a shipment with a tracking id, costed as GetQuote quotes it", async () => {
      const before = Date.now();
      const { shipment } = await client.createShipment({ orderId: orderId("new"), address, items });
      const quote = await client.getQuote({ address, items });
      expect(shipment?.id).not.toBe("");
      expect([...(shipment?.id ?? "")].length).toBeLessThanOrEqual(64);
      expect(shipment?.trackingId).toMatch(trackingIdPattern);
      expect(shipment).toMatchObject({ orderId: orderId("new"), address, items, status: ShipmentStatus.CREATED });
      expect(shipment?.cost).toEqual(quote.cost);
      const created = Number(shipment?.createTime?.seconds) * 1000 + Math.floor((shipment?.createTime?.nanos ?? 0) / 1e6);
      expect(created).toBeGreaterThanOrEqual(before - 1_000);
      expect(created).toBeLessThanOrEqual(Date.now() + 1_000);
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
      const stored = await client.getShipment({ lookup: { case: "orderId", value: orderId("replay") } });
      expect(stored.shipment).toEqual(first.shipment);
    });

    it("makes exactly one shipment when ten calls for one order race", async () => {
      const order = orderId("race");
      const responses = await Promise.all(Array.from({ length: 10 }, () => client.createShipment({ orderId: order, address, items })));
      for (const response of responses) expect(response).toEqual(responses[0]);
      const stored = await client.getShipment({ lookup: { case: "orderId", value: order } });
      expect(stored.shipment).toEqual(responses[0]?.shipment);
      const byId = await client.getShipment({ lookup: { case: "shipmentId", value: stored.shipment?.id ?? "" } });
      expect(byId.shipment).toEqual(stored.shipment);
    });

    it("refuses a replay with another address or other items: FAILED_PRECONDITION SHIPMENT on the order", async () => {
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
      const stored = await client.getShipment({ lookup: { case: "orderId", value: order } });
      expect(stored.shipment).toEqual(shipment);
    });

    it("names what differs in a refused replay", async () => {
      const order = orderId("differs");
      const { shipment } = await client.createShipment({ orderId: order, address, items });
      const err = await rejection(client.createShipment({ orderId: order, address: { ...address, city: "Oakland" }, items: [items[0]!] }));
      expect(err.rawMessage).toBe(`order ${order} already has shipment ${shipment?.id} with a different address and items`);
    });

    it("answers bad input with INVALID_ARGUMENT naming each field, and makes no shipment", async () => {
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
      const repeat = await rejection(client.createShipment({ orderId: orderId("bad"), address, items: repeated }));
      expect(fieldViolations(repeat)).toEqual([
        expect.objectContaining({ field: "items[2].sku", description: "repeats the SKU of items[0] (MUG-001)" }),
      ]);
      expect(await invalid(client.createShipment({ orderId: orderId("bad"), address, items: [{ sku: "MUG-001", quantity: -1 }] }))).toEqual(
        bad(["items[0].quantity"]),
      );
      expect(await invalid(client.createShipment({ orderId: "", items: [] }))).toEqual(bad(["order_id", "address", "items"]));
      expect(await hasNoShipment(orderId("bad"))).toBe(true);
    });

    it("accepts an order id of 64 characters, counted in code points", async () => {
      const long = `${"é".repeat(32)}${"😀".repeat(32)}`;
      const { shipment } = await client.createShipment({ orderId: long, address, items });
      expect(shipment?.orderId).toBe(long);
      expect(await invalid(client.createShipment({ orderId: `${long}x`, address, items }))).toEqual(bad(["order_id"]));
    });
  });

  describe("CancelShipment", () => {
    it("cancels an order's shipment: GetShipment shows it CANCELLED and a replay of CreateShipment is refused", async () => {
      const order = orderId("cancel");
      const { shipment } = await client.createShipment({ orderId: order, address, items });

      const { shipment: cancelled } = await client.cancelShipment({ orderId: order });

      expect(cancelled).toEqual({ ...shipment, status: ShipmentStatus.CANCELLED });
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
    });

    it("is idempotent: cancelling again changes nothing more", async () => {
      const order = orderId("cancel-twice");
      await client.createShipment({ orderId: order, address, items });
      const first = await client.cancelShipment({ orderId: order });
      const again = await client.cancelShipment({ orderId: order });
      expect(again).toEqual(first);
    });

    it("cancels an order without a shipment: nothing to return, and a later CreateShipment is refused, leaving none", async () => {
      const order = orderId("cancel-first");
      expect((await client.cancelShipment({ orderId: order })).shipment).toBeUndefined();
      const err = await rejection(client.createShipment({ orderId: order, address, items }));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(err.findDetails(PreconditionFailureSchema)[0]?.violations[0]?.type).toBe("CANCELLED");
      // "Leaves no shipment in force": none, or one that is CANCELLED.
      const lookup = await client.getShipment({ lookup: { case: "orderId", value: order } }).catch(() => undefined);
      if (lookup !== undefined) expect(lookup.shipment?.status).toBe(ShipmentStatus.CANCELLED);
    });

    it("leaves no shipment in force when a cancellation races the creates", async () => {
      const order = orderId("cancel-race");
      const creates = Array.from({ length: 5 }, () => client.createShipment({ orderId: order, address, items }).catch((e: unknown) => e));
      const cancel = client.cancelShipment({ orderId: order });
      await Promise.all([...creates, cancel]);
      const after = await client.getShipment({ lookup: { case: "orderId", value: order } }).catch(() => undefined);
      if (after !== undefined) expect(after.shipment?.status).toBe(ShipmentStatus.CANCELLED);
      expect((await rejection(client.createShipment({ orderId: order, address, items }))).code).toBe(Code.FailedPrecondition);
    });

    it.each([
      ["an empty order id", ""],
      ["an order id of 65 characters", "o".repeat(65)],
    ])("answers %s with INVALID_ARGUMENT on order_id", async (_name, order) => {
      expect(await invalid(client.cancelShipment({ orderId: order }))).toEqual(bad(["order_id"]));
    });
  });

  describe("GetShipment", () => {
    it("finds a shipment by its id and by its order's id", async () => {
      const { shipment } = await client.createShipment({ orderId: orderId("lookup"), address, items });
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
      expect(await invalid(client.getShipment({}))).toEqual(bad(["lookup"]));
      expect(await invalid(client.getShipment({ lookup: { case: "shipmentId", value: "" } }))).toEqual(bad(["shipment_id"]));
      expect(await invalid(client.getShipment({ lookup: { case: "shipmentId", value: "s".repeat(65) } }))).toEqual(bad(["shipment_id"]));
      expect(await invalid(client.getShipment({ lookup: { case: "orderId", value: "" } }))).toEqual(bad(["order_id"]));
      expect(await invalid(client.getShipment({ lookup: { case: "orderId", value: "o".repeat(65) } }))).toEqual(bad(["order_id"]));
    });
  });

  describe("through grpcurl and server reflection", () => {
    it("lists every shop contract, describes the service and gets a quote", async () => {
      const list = await grpcurl([target.address, "list"]);
      const services = list.stdout.split("\n");
      for (const name of ["shop.shipping.v1.ShippingService", "shop.catalog.v1.CatalogService", "shop.order.v1.OrderService"]) {
        expect(services).toContain(name);
      }
      const describe_ = await grpcurl([target.address, "describe", "shop.shipping.v1.ShippingService"]);
      expect(describe_.exitCode).toBe(0);
      expect(describe_.stdout).toContain("rpc CreateShipment ( .shop.shipping.v1.CreateShipmentRequest )");
      expect(describe_.stdout).toContain("rpc CancelShipment ( .shop.shipping.v1.CancelShipmentRequest )");
      const call = await grpcurl([target.address, "shop.shipping.v1.ShippingService/GetQuote"], {
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
      const call = await grpcurl([target.address, "shop.shipping.v1.ShippingService/GetShipment"], { data: {} });
      expect(call.exitCode).not.toBe(0);
      expect(call.stderr).toContain("Code: InvalidArgument");
      expect(call.stderr).toContain('"field": "lookup"');
    });
  });

  describe("a shipment stored before ids were made of the order id", () => {
    it("is found, replayed and cancelled by its order: the store's documents are part of the contract", async () => {
      const database = target.database;
      if (database === undefined) return; // An address given from outside: its database is not known.
      const order = orderId("older");
      const first = await client.createShipment({ orderId: order, address, items });
      const mongo = await MongoClient.connect(database.url, { serverSelectionTimeoutMS: 2_000 });
      try {
        // The shipment as the first versions stored it: the same document under a random id.
        const shipments = mongo.db(database.name).collection<{ _id: string }>("shipments");
        const stored = await shipments.findOne({ order_id: order });
        expect(stored).not.toBeNull();
        await shipments.deleteOne({ order_id: order });
        const olderId = randomUUID();
        await shipments.insertOne({ ...stored, _id: olderId });
        const again = await client.createShipment({ orderId: order, address, items });
        expect(again.shipment).toMatchObject({ id: olderId, orderId: order, trackingId: first.shipment?.trackingId });
        expect(await shipments.countDocuments({ order_id: order })).toBe(1);
        const byOrder = await client.getShipment({ lookup: { case: "orderId", value: order } });
        expect(byOrder.shipment?.id).toBe(olderId);
        const cancelled = await client.cancelShipment({ orderId: order });
        expect(cancelled.shipment).toMatchObject({ id: olderId, status: ShipmentStatus.CANCELLED });
        const byId = await client.getShipment({ lookup: { case: "shipmentId", value: olderId } });
        expect(byId.shipment?.status).toBe(ShipmentStatus.CANCELLED);
      } finally {
        await mongo.close();
      }
    });
  });

  // Last: it stops the store.
  describe("when its store stops", () => {
    it("turns NOT_SERVING and answers UNAVAILABLE (a quote still works), then serves again once it is back", async () => {
      const store = target.store;
      if (store === undefined) return; // An address given from outside: its store is not the suite's to stop.
      const { shipment } = await client.createShipment({ orderId: orderId("outage"), address, items });
      await health.waitFor("SERVING");
      await store.stop();
      await health.waitFor("NOT_SERVING");
      expect(await health.check("shop.shipping.v1.ShippingService")).toBe("NOT_SERVING");
      const lookup = await rejection(client.getShipment({ lookup: { case: "shipmentId", value: shipment!.id } }));
      expect(lookup.code).toBe(Code.Unavailable);
      expect(lookup.rawMessage).toBe("shipping store is unavailable; try again shortly");
      const create = await rejection(client.createShipment({ orderId: orderId("during-outage"), address, items }));
      expect(create.code).toBe(Code.Unavailable);
      const cancel = await rejection(client.cancelShipment({ orderId: orderId("during-outage") }));
      expect(cancel.code).toBe(Code.Unavailable);
      expect((await client.getQuote({ address, items })).estimatedDays).toBe(3);
      await store.start();
      await health.waitFor("SERVING");
      const after = await client.getShipment({ lookup: { case: "shipmentId", value: shipment!.id } });
      expect(after.shipment).toEqual(shipment);
      expect((await client.createShipment({ orderId: orderId("during-outage"), address, items })).shipment?.orderId).toBe(
        orderId("during-outage"),
      );
    }, 60_000);
  });
}
