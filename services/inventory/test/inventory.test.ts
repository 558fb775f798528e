// InventoryService against a real redis-server, through the typed gRPC client and grpcurl.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { DurationSchema, timestampMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { createClient } from "@redis/client";
import { ResourceInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { ReservationState, type Reservation } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { fieldViolations } from "@shopmesh/kit";
import { eventually, grpcurl, preconditionViolations, rejection } from "@shopmesh/testkit";
import { reservationKey, stockKey } from "../src/store/redis-keys.js";
import { startAll, type Running } from "./helpers.js";
import { stockInvariantFromReservations } from "./stock-invariant.js";

const seconds = (s: number) => create(DurationSchema, { seconds: BigInt(s) });

describe("InventoryService on Redis", () => {
  let running: Running;
  let client: Running["client"];
  /** A plain connection to the same Redis, to watch what the sweeper does without calling the service. */
  let raw: ReturnType<typeof createClient>;

  beforeAll(async () => {
    running = await startAll({ RESERVATION_SWEEP_INTERVAL_MS: "100" });
    client = running.client;
    raw = createClient({ url: running.redis.url });
    await raw.connect();
  });

  afterAll(async () => {
    raw.destroy();
    await running.stop();
  });

  const stockOf = async (sku: string) => {
    const { stock } = await client.getStock({ sku });
    return { sku, available: stock?.available ?? NaN, reserved: stock?.reserved ?? NaN };
  };

  describe("SetStock and GetStock", () => {
    it("records a SKU's stock and returns it", async () => {
      const set = await client.setStock({ sku: "MUG-001", available: 12 });
      expect(set.stock).toMatchObject({ sku: "MUG-001", available: 12, reserved: 0 });
      expect(await stockOf("MUG-001")).toEqual({ sku: "MUG-001", available: 12, reserved: 0 });
    });

    it("is idempotent and sets available without touching reserved", async () => {
      await client.setStock({ sku: "CUP-001", available: 5 });
      await client.reserveStock({ orderId: "o-setstock", lines: [{ sku: "CUP-001", quantity: 2 }] });
      const again = await client.setStock({ sku: "CUP-001", available: 20 });
      expect(again.stock).toMatchObject({ available: 20, reserved: 2 });
      await client.setStock({ sku: "CUP-001", available: 20 });
      expect(await stockOf("CUP-001")).toEqual({ sku: "CUP-001", available: 20, reserved: 2 });
    });

    it("answers NOT_FOUND, naming the SKU, for a SKU never set", async () => {
      const err = await rejection(client.getStock({ sku: "NEVER-SET" }));
      expect(err.code).toBe(Code.NotFound);
      expect(err.rawMessage).toContain("NEVER-SET");
      expect(err.findDetails(ResourceInfoSchema)[0]).toMatchObject({ resourceName: "sku/NEVER-SET" });
    });
  });

  describe("ReserveStock", () => {
    it("holds every line and moves the units from available to reserved", async () => {
      await client.setStock({ sku: "TEE-S", available: 10 });
      await client.setStock({ sku: "TEE-M", available: 4 });
      const before = Date.now();
      const { reservation } = await client.reserveStock({
        orderId: "o-multi",
        lines: [
          { sku: "TEE-M", quantity: 4 },
          { sku: "TEE-S", quantity: 3 },
        ],
        ttl: seconds(120),
      });
      expect(reservation?.orderId).toBe("o-multi");
      expect(reservation?.state).toBe(ReservationState.HELD);
      expect(reservation?.lines.map((l) => [l.sku, l.quantity])).toEqual([
        ["TEE-M", 4],
        ["TEE-S", 3],
      ]);
      const expires = timestampMs(reservation!.expireTime!);
      expect(expires).toBeGreaterThanOrEqual(before + 120_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 120_000);
      expect(await stockOf("TEE-S")).toEqual({ sku: "TEE-S", available: 7, reserved: 3 });
      expect(await stockOf("TEE-M")).toEqual({ sku: "TEE-M", available: 0, reserved: 4 });
    });

    it("holds for 15 minutes when no ttl is given", async () => {
      await client.setStock({ sku: "HAT-001", available: 1 });
      const before = Date.now();
      const { reservation } = await client.reserveStock({ orderId: "o-default-ttl", lines: [{ sku: "HAT-001", quantity: 1 }] });
      const expires = timestampMs(reservation!.expireTime!);
      expect(expires).toBeGreaterThanOrEqual(before + 900_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 900_000);
    });

    it("takes nothing when one SKU is short, and names every short SKU", async () => {
      await client.setStock({ sku: "PEN-BLUE", available: 5 });
      await client.setStock({ sku: "PEN-RED", available: 1 });
      const err = await rejection(
        client.reserveStock({
          orderId: "o-short",
          lines: [
            { sku: "PEN-BLUE", quantity: 2 },
            { sku: "PEN-RED", quantity: 3 },
            { sku: "PEN-GOLD", quantity: 1 },
          ],
        }),
      );
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(err.rawMessage).toContain("PEN-RED");
      expect(err.rawMessage).toContain("PEN-GOLD");
      expect(err.rawMessage).not.toContain("PEN-BLUE");
      expect(preconditionViolations(err)).toEqual([
        { type: "STOCK", subject: "sku/PEN-RED", description: "requested 3, available 1" },
        { type: "STOCK", subject: "sku/PEN-GOLD", description: "requested 1, available 0" },
      ]);
      expect(await stockOf("PEN-BLUE")).toEqual({ sku: "PEN-BLUE", available: 5, reserved: 0 });
      expect(await stockOf("PEN-RED")).toEqual({ sku: "PEN-RED", available: 1, reserved: 0 });
      // No reservation was created: the order can still reserve what is there.
      const { reservation } = await client.reserveStock({ orderId: "o-short", lines: [{ sku: "PEN-BLUE", quantity: 2 }] });
      expect(reservation?.state).toBe(ReservationState.HELD);
    });

    it("never gives out more than there is: 50 orders racing for 10 units", async () => {
      await client.setStock({ sku: "RACE-1", available: 10 });
      const wanted = Array.from({ length: 50 }, (_, i) => (i % 3) + 1);
      const results = await Promise.allSettled(
        wanted.map((quantity, i) => client.reserveStock({ orderId: `race-${i}`, lines: [{ sku: "RACE-1", quantity }] })),
      );
      const held: Reservation[] = [];
      results.forEach((r) => {
        if (r.status === "fulfilled") held.push(r.value.reservation!);
        else expect(r.reason).toMatchObject({ code: Code.FailedPrecondition });
      });
      const heldUnits = held.reduce((sum, r) => sum + (r.lines[0]?.quantity ?? 0), 0);
      const stock = await stockOf("RACE-1");
      expect(heldUnits).toBeLessThanOrEqual(10);
      expect(stock.reserved).toBe(heldUnits);
      expect(stockInvariantFromReservations(stock, 10, held)).toEqual([]);
      // Every order wanted at most 3: had one been refused wrongly, 3 or more would be left.
      expect(stock.available).toBeLessThan(3);

      // Settle some: commits leave for good, releases come back, and still nothing is lost.
      const settled = await Promise.all(
        held.map((r, i) =>
          i % 2 === 0
            ? client.commitReservation({ orderId: r.orderId }).then((res) => res.reservation!)
            : client.releaseReservation({ orderId: r.orderId }).then((res) => res.reservation!),
        ),
      );
      const after = await stockOf("RACE-1");
      expect(after.reserved).toBe(0);
      expect(stockInvariantFromReservations(after, 10, settled)).toEqual([]);
    });

    it("keeps multi-SKU orders all or nothing under contention", async () => {
      await client.setStock({ sku: "RACE-A", available: 10 });
      await client.setStock({ sku: "RACE-B", available: 7 });
      const orders = Array.from({ length: 40 }, (_, i) => [
        { sku: "RACE-A", quantity: (i % 2) + 1 },
        { sku: "RACE-B", quantity: (i % 3) + 1 },
      ]);
      const results = await Promise.allSettled(orders.map((lines, i) => client.reserveStock({ orderId: `race-ab-${i}`, lines })));
      const held = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.reservation!] : []));
      expect(held.length).toBeGreaterThan(0);
      expect(stockInvariantFromReservations(await stockOf("RACE-A"), 10, held)).toEqual([]);
      expect(stockInvariantFromReservations(await stockOf("RACE-B"), 7, held)).toEqual([]);
    });

    it("is idempotent on the order id: a replay in any line order takes nothing more", async () => {
      await client.setStock({ sku: "IDEM-A", available: 10 });
      await client.setStock({ sku: "IDEM-B", available: 10 });
      const lines = [
        { sku: "IDEM-A", quantity: 2 },
        { sku: "IDEM-B", quantity: 1 },
      ];
      const first = await client.reserveStock({ orderId: "o-idem", lines, ttl: seconds(60) });
      const replay = await client.reserveStock({ orderId: "o-idem", lines: [...lines].reverse(), ttl: seconds(600) });
      expect(replay.reservation).toEqual(first.reservation);
      expect(await stockOf("IDEM-A")).toEqual({ sku: "IDEM-A", available: 8, reserved: 2 });
      expect(await stockOf("IDEM-B")).toEqual({ sku: "IDEM-B", available: 9, reserved: 1 });
    });

    it("takes stock once when the same reservation arrives twice at once", async () => {
      await client.setStock({ sku: "TWIN-1", available: 10 });
      const request = { orderId: "o-twin", lines: [{ sku: "TWIN-1", quantity: 3 }] };
      const [a, b] = await Promise.all([client.reserveStock(request), client.reserveStock(request)]);
      expect(a.reservation).toEqual(b.reservation);
      expect(await stockOf("TWIN-1")).toEqual({ sku: "TWIN-1", available: 7, reserved: 3 });
    });

    it("refuses a replay with other lines, naming the order", async () => {
      await client.setStock({ sku: "DIFF-1", available: 10 });
      await client.reserveStock({ orderId: "o-diff", lines: [{ sku: "DIFF-1", quantity: 1 }] });
      for (const lines of [
        [{ sku: "DIFF-1", quantity: 2 }],
        [
          { sku: "DIFF-1", quantity: 1 },
          { sku: "MUG-001", quantity: 1 },
        ],
      ]) {
        const err = await rejection(client.reserveStock({ orderId: "o-diff", lines }));
        expect(err.code).toBe(Code.FailedPrecondition);
        expect(preconditionViolations(err)).toMatchObject([{ type: "RESERVATION", subject: "order/o-diff" }]);
      }
      expect(await stockOf("DIFF-1")).toEqual({ sku: "DIFF-1", available: 9, reserved: 1 });
    });

    it("returns a released reservation as it is on replay, taking nothing", async () => {
      await client.setStock({ sku: "REPLAY-1", available: 3 });
      const lines = [{ sku: "REPLAY-1", quantity: 3 }];
      await client.reserveStock({ orderId: "o-replay-released", lines });
      await client.releaseReservation({ orderId: "o-replay-released" });
      const { reservation } = await client.reserveStock({ orderId: "o-replay-released", lines });
      expect(reservation?.state).toBe(ReservationState.RELEASED);
      expect(await stockOf("REPLAY-1")).toEqual({ sku: "REPLAY-1", available: 3, reserved: 0 });
    });
  });

  describe("CommitReservation and ReleaseReservation", () => {
    it("commit makes the sale final, and committing again changes nothing", async () => {
      await client.setStock({ sku: "COMMIT-1", available: 10 });
      await client.reserveStock({ orderId: "o-commit", lines: [{ sku: "COMMIT-1", quantity: 4 }] });
      const first = await client.commitReservation({ orderId: "o-commit" });
      expect(first.reservation?.state).toBe(ReservationState.COMMITTED);
      expect(await stockOf("COMMIT-1")).toEqual({ sku: "COMMIT-1", available: 6, reserved: 0 });
      const again = await client.commitReservation({ orderId: "o-commit" });
      expect(again.reservation).toEqual(first.reservation);
      expect(await stockOf("COMMIT-1")).toEqual({ sku: "COMMIT-1", available: 6, reserved: 0 });

      const err = await rejection(client.releaseReservation({ orderId: "o-commit" }));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(err.rawMessage).toContain("COMMITTED");
      expect(preconditionViolations(err)).toMatchObject([{ type: "STATE", subject: "order/o-commit" }]);
      expect(await stockOf("COMMIT-1")).toEqual({ sku: "COMMIT-1", available: 6, reserved: 0 });
    });

    it("release returns the units, and releasing again changes nothing", async () => {
      await client.setStock({ sku: "RELEASE-1", available: 10 });
      await client.reserveStock({ orderId: "o-release", lines: [{ sku: "RELEASE-1", quantity: 4 }] });
      const first = await client.releaseReservation({ orderId: "o-release" });
      expect(first.reservation?.state).toBe(ReservationState.RELEASED);
      expect(await stockOf("RELEASE-1")).toEqual({ sku: "RELEASE-1", available: 10, reserved: 0 });
      const again = await client.releaseReservation({ orderId: "o-release" });
      expect(again.reservation).toEqual(first.reservation);
      expect(await stockOf("RELEASE-1")).toEqual({ sku: "RELEASE-1", available: 10, reserved: 0 });

      const err = await rejection(client.commitReservation({ orderId: "o-release" }));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(preconditionViolations(err)).toMatchObject([{ type: "STATE", subject: "order/o-release" }]);
    });

    it("answers NOT_FOUND for an order without a reservation", async () => {
      for (const call of [client.commitReservation({ orderId: "o-none" }), client.releaseReservation({ orderId: "o-none" })]) {
        const err = await rejection(call);
        expect(err.code).toBe(Code.NotFound);
        expect(err.rawMessage).toContain("o-none");
        expect(err.findDetails(ResourceInfoSchema)[0]).toMatchObject({ resourceName: "order/o-none" });
      }
    });
  });

  describe("expiry", () => {
    it("returns the units of a reservation not settled within its ttl, and refuses a late commit", async () => {
      await client.setStock({ sku: "EXPIRE-1", available: 5 });
      const { reservation } = await client.reserveStock({
        orderId: "o-expire",
        lines: [{ sku: "EXPIRE-1", quantity: 2 }],
        ttl: seconds(1),
      });
      expect(await stockOf("EXPIRE-1")).toEqual({ sku: "EXPIRE-1", available: 3, reserved: 2 });

      // Nobody calls the service meanwhile: the sweeper alone gives the units back.
      await eventually(async () => (await raw.hGet(reservationKey("o-expire"), "state")) === "EXPIRED", { timeoutMs: 3_000 });
      expect(await raw.hGetAll(stockKey("EXPIRE-1"))).toEqual({ available: "5", reserved: "0" });
      expect(Date.now()).toBeGreaterThanOrEqual(timestampMs(reservation!.expireTime!));

      const err = await rejection(client.commitReservation({ orderId: "o-expire" }));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(err.rawMessage).toContain("EXPIRED");
      expect(preconditionViolations(err)).toMatchObject([{ type: "STATE", subject: "order/o-expire" }]);

      const released = await client.releaseReservation({ orderId: "o-expire" });
      expect(released.reservation).toEqual({ ...reservation, state: ReservationState.EXPIRED });
      const replayed = await client.reserveStock({ orderId: "o-expire", lines: [{ sku: "EXPIRE-1", quantity: 2 }] });
      expect(replayed.reservation?.state).toBe(ReservationState.EXPIRED);
      expect(await stockOf("EXPIRE-1")).toEqual({ sku: "EXPIRE-1", available: 5, reserved: 0 });
    });
  });

  describe("bad input: INVALID_ARGUMENT with the field path", () => {
    const line = (sku: string, quantity = 1) => ({ sku, quantity });
    const fields = async (call: Promise<unknown>) => {
      const err = await rejection(call);
      expect(err.code).toBe(Code.InvalidArgument);
      return fieldViolations(err).map((v) => v.field);
    };

    it("GetStock", async () => {
      expect(await fields(client.getStock({ sku: "" }))).toEqual(["sku"]);
      expect(await fields(client.getStock({ sku: "mug-001" }))).toEqual(["sku"]);
      expect(await fields(client.getStock({ sku: "AB" }))).toEqual(["sku"]);
    });

    it("SetStock", async () => {
      expect(await fields(client.setStock({ sku: "bad sku", available: -1 }))).toEqual(["sku", "available"]);
      expect(await fields(client.setStock({ sku: "OK-SKU", available: 1_000_001 }))).toEqual(["available"]);
      expect(await rejection(client.getStock({ sku: "OK-SKU" }))).toMatchObject({ code: Code.NotFound });
    });

    it("ReserveStock", async () => {
      const many = (n: number) => Array.from({ length: n }, (_, i) => line(`MANY-${i}`));
      expect(await fields(client.reserveStock({ orderId: "", lines: [line("MUG-001")] }))).toEqual(["order_id"]);
      expect(await fields(client.reserveStock({ orderId: "x".repeat(65), lines: [line("MUG-001")] }))).toEqual(["order_id"]);
      expect(await fields(client.reserveStock({ orderId: "o-bad", lines: [] }))).toEqual(["lines"]);
      expect(await fields(client.reserveStock({ orderId: "o-bad", lines: many(51) }))).toEqual(["lines"]);
      expect(await fields(client.reserveStock({ orderId: "o-bad", lines: [line("MUG-001"), line("MUG-001", 2)] }))).toEqual(["lines"]);
      expect(await fields(client.reserveStock({ orderId: "o-bad", lines: [line("MUG-001"), line("CUP-001", 0)] }))).toEqual([
        "lines[1].quantity",
      ]);
      expect(await fields(client.reserveStock({ orderId: "o-bad", lines: [line("mug"), line("CUP-001", 100)] }))).toEqual([
        "lines[0].sku",
        "lines[1].quantity",
      ]);
      expect(
        await fields(
          client.reserveStock({ orderId: "o-bad", lines: [line("MUG-001")], ttl: create(DurationSchema, { nanos: 999_999_999 }) }),
        ),
      ).toEqual(["ttl"]);
      expect(
        await fields(
          client.reserveStock({ orderId: "o-bad", lines: [line("MUG-001")], ttl: create(DurationSchema, { seconds: 3_600n, nanos: 1 }) }),
        ),
      ).toEqual(["ttl"]);
      // Nothing was reserved by any of them.
      expect(await stockOf("MUG-001")).toEqual({ sku: "MUG-001", available: 12, reserved: 0 });
    });

    it("ReserveStock accepts the bounds: 64 characters, 50 lines, 99 units, ttl 1 s and 1 h", async () => {
      await client.setStock({ sku: "BOUND-1", available: 200 });
      const orderId = "😀".repeat(64);
      const { reservation } = await client.reserveStock({ orderId, lines: [line("BOUND-1", 99)], ttl: seconds(3_600) });
      expect(reservation?.orderId).toBe(orderId);
      await client.reserveStock({ orderId: "o-bound-ttl", lines: [line("BOUND-1", 99)], ttl: seconds(1) });
      const err = await rejection(
        client.reserveStock({ orderId: "o-bound-lines", lines: Array.from({ length: 50 }, (_, i) => line(`LINE-${i}`)) }),
      );
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(preconditionViolations(err)).toHaveLength(50);
    });

    it("CommitReservation and ReleaseReservation", async () => {
      for (const orderId of ["", "x".repeat(65)]) {
        expect(await fields(client.commitReservation({ orderId }))).toEqual(["order_id"]);
        expect(await fields(client.releaseReservation({ orderId }))).toEqual(["order_id"]);
      }
    });
  });

  describe("grpcurl", () => {
    it("lists and describes the service through reflection", async () => {
      const list = await grpcurl([running.app.server.address, "list"]);
      expect(list.exitCode).toBe(0);
      expect(list.stdout).toContain("shop.inventory.v1.InventoryService");
      const describe = await grpcurl([running.app.server.address, "describe", "shop.inventory.v1.InventoryService"]);
      expect(describe.exitCode).toBe(0);
      expect(describe.stdout).toContain("rpc ReserveStock ( .shop.inventory.v1.ReserveStockRequest )");
    });

    it("makes real calls, and shows why a reservation failed", async () => {
      const address = running.app.server.address;
      const set = await grpcurl([address, "shop.inventory.v1.InventoryService/SetStock"], { data: { sku: "CURL-1", available: 2 } });
      expect(set.exitCode).toBe(0);
      expect(JSON.parse(set.stdout)).toEqual({ stock: { sku: "CURL-1", available: 2 } });
      const reserve = await grpcurl([address, "shop.inventory.v1.InventoryService/ReserveStock"], {
        data: { orderId: "o-curl", lines: [{ sku: "CURL-1", quantity: 2 }], ttl: "30s" },
      });
      expect(reserve.exitCode).toBe(0);
      expect(JSON.parse(reserve.stdout)).toMatchObject({ reservation: { orderId: "o-curl", state: "RESERVATION_STATE_HELD" } });
      const short = await grpcurl([address, "shop.inventory.v1.InventoryService/ReserveStock"], {
        data: { orderId: "o-curl-2", lines: [{ sku: "CURL-1", quantity: 1 }] },
      });
      expect(short.exitCode).not.toBe(0);
      expect(short.stderr).toContain("FailedPrecondition");
      expect(short.stderr).toContain("sku/CURL-1");
    });
  });
});
