// Mapping between Redis hash fields, domain types and messages.
import { describe, expect, it } from "@jest/globals";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { ReservationState } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { linesToStored, reservationFromStored, stockFromStored, toReservationMessage, toStockMessage } from "../src/store/mappers.js";

describe("reservation mapping", () => {
  const lines = [
    { sku: "BBB", quantity: 2 },
    { sku: "AAA", quantity: 1 },
  ];

  it("round-trips lines in request order and maps state and expire time", () => {
    const stored = reservationFromStored("o-1", "EXPIRED", linesToStored(lines), "1700000000123");
    expect(stored).toEqual({ orderId: "o-1", lines, status: "EXPIRED", expireTimeMs: 1_700_000_000_123 });
    const message = toReservationMessage(stored);
    expect(message.state).toBe(ReservationState.EXPIRED);
    expect(message.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ["BBB", 2],
      ["AAA", 1],
    ]);
    expect(message.expireTime && timestampMs(message.expireTime)).toBe(1_700_000_000_123);
  });

  it("stores only sku and quantity", () => {
    expect(linesToStored([{ sku: "AAA", quantity: 1, extra: true } as never])).toBe('[{"sku":"AAA","quantity":1}]');
  });

  it("refuses data this service would not write", () => {
    expect(() => reservationFromStored("o-1", "PENDING", "[]", "1")).toThrow(/unknown state/);
    expect(() => reservationFromStored("o-1", "HELD", "{}", "1")).toThrow(/bad lines/);
    expect(() => reservationFromStored("o-1", "HELD", "[]", "soon")).toThrow(/bad expire_ms/);
  });
});

describe("stock mapping", () => {
  it("maps hash fields, and a missing hash to undefined", () => {
    expect(stockFromStored("AAA", "7", "3", "5")).toEqual({ sku: "AAA", available: 7, reserved: 3, sold: 5 });
    // Stock set before sales were counted has no `sold` field yet.
    expect(stockFromStored("AAA", "7", "3", null)).toEqual({ sku: "AAA", available: 7, reserved: 3, sold: 0 });
    expect(stockFromStored("AAA", null, null, null)).toBeUndefined();
    expect(() => stockFromStored("AAA", "7", "3", "many")).toThrow(/bad counts/);
    expect(toStockMessage({ sku: "AAA", available: 7, reserved: 3, sold: 5 })).toMatchObject({
      sku: "AAA",
      available: 7,
      reserved: 3,
      sold: 5,
    });
  });
});
