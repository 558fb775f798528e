// A reservation past its expire time counts as EXPIRED as soon as anything reads or changes it,
// whether or not the sweeper has run: here the sweeper is as good as off (60 s interval) and the
// service's clock is moved by hand.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { DurationSchema, timestampMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { ReservationState } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { preconditionViolations, rejection } from "@shopmesh/testkit";
import { startAll, type Running } from "./helpers.js";

describe("a due reservation the sweeper has not reached", () => {
  let running: Running;
  let client: Running["client"];
  let now = Date.parse("2030-01-01T00:00:00Z");
  const ttl = create(DurationSchema, { seconds: 10n });

  beforeAll(async () => {
    running = await startAll({ RESERVATION_SWEEP_INTERVAL_MS: "60000" }, { clock: () => now });
    client = running.client;
  });

  afterAll(async () => {
    await running.stop();
  });

  const stockOf = async (sku: string) => (await client.getStock({ sku })).stock;

  it("cannot be committed once its expire time is reached, and its units are back", async () => {
    await client.setStock({ sku: "DUE-1", available: 4 });
    const { reservation } = await client.reserveStock({ orderId: "o-due-commit", lines: [{ sku: "DUE-1", quantity: 3 }], ttl });
    expect(timestampMs(reservation!.expireTime!)).toBe(now + 10_000);

    now += 9_999;
    expect(await stockOf("DUE-1")).toMatchObject({ available: 1, reserved: 3 });
    now += 1;
    const err = await rejection(client.commitReservation({ orderId: "o-due-commit" }));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(preconditionViolations(err)).toEqual([{ type: "STATE", subject: "order/o-due-commit", description: "reservation is EXPIRED" }]);
    expect(await stockOf("DUE-1")).toMatchObject({ available: 4, reserved: 0 });
  });

  it("commits one millisecond before it is due", async () => {
    await client.setStock({ sku: "DUE-2", available: 4 });
    await client.reserveStock({ orderId: "o-due-in-time", lines: [{ sku: "DUE-2", quantity: 3 }], ttl });
    now += 9_999;
    const { reservation } = await client.commitReservation({ orderId: "o-due-in-time" });
    expect(reservation?.state).toBe(ReservationState.COMMITTED);
    now += 60_000;
    expect(await stockOf("DUE-2")).toMatchObject({ available: 1, reserved: 0 });
  });

  it("is EXPIRED, not RELEASED, when released late", async () => {
    await client.setStock({ sku: "DUE-3", available: 4 });
    await client.reserveStock({ orderId: "o-due-release", lines: [{ sku: "DUE-3", quantity: 3 }], ttl });
    now += 10_000;
    const { reservation } = await client.releaseReservation({ orderId: "o-due-release" });
    expect(reservation?.state).toBe(ReservationState.EXPIRED);
    expect(await stockOf("DUE-3")).toMatchObject({ available: 4, reserved: 0 });
  });

  it("gives its units to the next order, and shows them as available", async () => {
    await client.setStock({ sku: "DUE-4", available: 2 });
    await client.reserveStock({ orderId: "o-due-first", lines: [{ sku: "DUE-4", quantity: 2 }], ttl });
    expect(await rejection(client.reserveStock({ orderId: "o-due-second", lines: [{ sku: "DUE-4", quantity: 2 }], ttl }))).toMatchObject({
      code: Code.FailedPrecondition,
    });
    now += 10_000;
    expect(await stockOf("DUE-4")).toMatchObject({ available: 2, reserved: 0 });
    const { reservation } = await client.reserveStock({ orderId: "o-due-second", lines: [{ sku: "DUE-4", quantity: 2 }], ttl });
    expect(reservation?.state).toBe(ReservationState.HELD);
    const replay = await client.reserveStock({ orderId: "o-due-first", lines: [{ sku: "DUE-4", quantity: 2 }], ttl });
    expect(replay.reservation?.state).toBe(ReservationState.EXPIRED);
    expect(await stockOf("DUE-4")).toMatchObject({ available: 0, reserved: 2 });
  });

  it("does not add its units on top of a SetStock made after it was due", async () => {
    await client.setStock({ sku: "DUE-5", available: 5 });
    await client.reserveStock({ orderId: "o-due-set", lines: [{ sku: "DUE-5", quantity: 3 }], ttl });
    now += 10_000;
    const { stock } = await client.setStock({ sku: "DUE-5", available: 10 });
    expect(stock).toMatchObject({ available: 10, reserved: 0 });
  });
});
