// Two replicas of the shipping service (two servers, each with its own MongoClient, one FerretDB)
// racing on the same orders, as two processes behind one address would: a cancellation before
// the shipment, after it, and both at once. FerretDB applies a conditional update as
// read-then-write, so only what is inserted under a unique key holds here.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import { PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { ShipmentStatus, ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { createGrpcClient, createLogger, type GrpcClient, type RunningService } from "@shopmesh/kit";
import { rejection, startMongo, testAddress, type TestStore } from "@shopmesh/testkit";
import { startShipping } from "../src/app.js";
import { loadConfig } from "../src/config.js";

type Client = GrpcClient<typeof ShippingService>;
const items = [{ sku: "MUG-001", quantity: 2 }];

let mongo: TestStore;
let replicas: RunningService[] = [];
let a: Client;
let b: Client;

beforeAll(async () => {
  mongo = await startMongo();
  const config = loadConfig({ GRPC_PORT: "0", MONGO_URL: mongo.url, MONGO_DB: "shipping_replicas", SHUTDOWN_GRACE_MS: "1000" });
  replicas = await Promise.all([0, 1].map(() => startShipping(config, createLogger("shipping", "silent"))));
  [a, b] = replicas.map((r) => createGrpcClient(ShippingService, r.server.address, { defaultTimeoutMs: 10_000 })) as [Client, Client];
});

afterAll(async () => {
  a?.close();
  b?.close();
  await Promise.all(replicas.map((r) => r.stop()));
  await mongo?.dispose();
});

const create = (client: Client, orderId: string) => client.createShipment({ orderId, address: testAddress, items });
const statusOf = async (orderId: string): Promise<ShipmentStatus | "none"> => {
  try {
    return (await b.getShipment({ lookup: { case: "orderId", value: orderId } })).shipment?.status ?? "none";
  } catch {
    return "none";
  }
};
const expectCancelled = async (call: Promise<unknown>, orderId: string) => {
  const err = await rejection(call);
  expect(err.code).toBe(Code.FailedPrecondition);
  expect(err.findDetails(PreconditionFailureSchema)[0]?.violations).toEqual([
    expect.objectContaining({ type: "CANCELLED", subject: `order/${orderId}` }),
  ]);
};

describe("CancelShipment across two replicas", () => {
  it("cancels an order before its shipment: a CreateShipment arriving later on the other replica leaves none in force", async () => {
    expect((await a.cancelShipment({ orderId: "late-create" })).shipment).toBeUndefined();

    await expectCancelled(create(b, "late-create"), "late-create");

    expect(await statusOf("late-create")).toBe(ShipmentStatus.CANCELLED);
    await expectCancelled(create(a, "late-create"), "late-create");
  });

  it("cancels an existing shipment; a replay of CreateShipment is refused and cancelling again changes nothing", async () => {
    const { shipment } = await create(a, "created-then-cancelled");
    expect(shipment?.status).toBe(ShipmentStatus.CREATED);

    const { shipment: cancelled } = await b.cancelShipment({ orderId: "created-then-cancelled" });

    expect(cancelled).toMatchObject({ id: shipment?.id, trackingId: shipment?.trackingId, status: ShipmentStatus.CANCELLED });
    expect((await a.cancelShipment({ orderId: "created-then-cancelled" })).shipment).toEqual(cancelled);
    await expectCancelled(create(b, "created-then-cancelled"), "created-then-cancelled");
  });

  it("never leaves a shipment in force when creates and cancellations of one order race on both replicas", async () => {
    const orders = Array.from({ length: 8 }, (_, i) => `race-${i}`);
    const outcomes = await Promise.allSettled(
      orders.flatMap((orderId, i) => {
        const creates = [create(a, orderId), create(b, orderId)];
        const cancels = [a.cancelShipment({ orderId }), b.cancelShipment({ orderId })];
        return i % 2 === 0 ? [...creates, ...cancels] : [...cancels, ...creates];
      }),
    );

    for (const outcome of outcomes) {
      if (outcome.status === "rejected") expect(outcome.reason).toMatchObject({ code: Code.FailedPrecondition });
    }
    for (const orderId of orders) expect(["none", ShipmentStatus.CANCELLED]).toContain(await statusOf(orderId));
  });

  it("stores one shipment when both replicas create it at once", async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => create(i % 2 === 0 ? a : b, "create-race")));
    expect(new Set(answers.map((r) => r.shipment?.id)).size).toBe(1);
    expect(new Set(answers.map((r) => r.shipment?.trackingId)).size).toBe(1);
  });
});
