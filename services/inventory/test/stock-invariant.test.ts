// The invariant helper must catch what it is for, or the tests using it prove nothing.
import { describe, expect, it } from "@jest/globals";
import { stockInvariantFromReservations, stockInvariantViolations } from "./stock-invariant.js";

describe("stockInvariantViolations", () => {
  it("holds when every unit is available, reserved or committed", () => {
    expect(stockInvariantViolations({ sku: "AAA", available: 4, reserved: 3 }, { set: 10, committed: 3 })).toEqual([]);
  });

  it("reports lost or created units, negative counts and a wrong reserved count", () => {
    expect(stockInvariantViolations({ sku: "AAA", available: 4, reserved: 3 }, { set: 10, committed: 2 })).toEqual([
      "AAA: available 4 + reserved 3 + committed 2 = 9, but 10 were set",
    ]);
    expect(stockInvariantViolations({ sku: "AAA", available: -1, reserved: 11 }, { set: 10, committed: 0 })).toEqual([
      "AAA: available is negative (-1)",
    ]);
    expect(stockInvariantViolations({ sku: "AAA", available: 7, reserved: 3 }, { set: 10, committed: 0, held: 2 })).toEqual([
      "AAA: reserved is 3, but HELD reservations hold 2",
    ]);
  });

  it("derives committed and held units from reservations", () => {
    const reservations = [
      {
        state: 1,
        lines: [
          { sku: "AAA", quantity: 2 },
          { sku: "BBB", quantity: 5 },
        ],
      },
      { state: 2, lines: [{ sku: "AAA", quantity: 3 }] },
      { state: 3, lines: [{ sku: "AAA", quantity: 4 }] },
      { state: 4, lines: [{ sku: "AAA", quantity: 1 }] },
    ];
    expect(stockInvariantFromReservations({ sku: "AAA", available: 5, reserved: 2 }, 10, reservations)).toEqual([]);
    expect(stockInvariantFromReservations({ sku: "AAA", available: 1, reserved: 6 }, 10, reservations)).toEqual([
      "AAA: reserved is 6, but HELD reservations hold 2",
    ]);
  });
});
