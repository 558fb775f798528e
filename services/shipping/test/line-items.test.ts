// The rules of a quote's or shipment's items.
import { describe, expect, it } from "@jest/globals";
import { lineItemsViolations, sameItems, totalUnits, type LineItemFields } from "../src/line-items.js";

const item = (sku: string, quantity = 1): LineItemFields => ({ sku, quantity });
const check = (items: LineItemFields[], distinctSkus = true) => lineItemsViolations(items, { distinctSkus });

describe("lineItemsViolations", () => {
  it("accepts 1..50 valid items", () => {
    expect(check([item("MUG-001")])).toEqual([]);
    expect(check(Array.from({ length: 50 }, (_, i) => item(`SKU-${i}`, 99)))).toEqual([]);
  });

  it("needs 1..50 items", () => {
    expect(check([])).toEqual([{ field: "items", description: "is required (1..50 items)" }]);
    expect(check(Array.from({ length: 51 }, (_, i) => item(`SKU-${i}`)))).toEqual([
      { field: "items", description: "must have at most 50 items (got 51)" },
    ]);
  });

  it("checks each SKU: 3..32 characters of A-Z, 0-9 and '-'", () => {
    for (const ok of ["ABC", "A-1", "X".repeat(32), "123", "---"]) expect(check([item(ok)])).toEqual([]);
    for (const bad of ["", "AB", "X".repeat(33), "mug-001", "MUG_001", "MUG 001", "MÜG"]) {
      expect(check([item("OK-1"), item(bad)])).toEqual([
        { field: "items[1].sku", description: "must be 3..32 characters of A-Z, 0-9 and '-'" },
      ]);
    }
  });

  it("checks each quantity: 1..99", () => {
    for (const ok of [1, 50, 99]) expect(check([item("MUG", ok)])).toEqual([]);
    for (const bad of [0, -1, 100, 2 ** 31 - 1]) {
      expect(check([item("MUG", bad)])).toEqual([{ field: "items[0].quantity", description: `must be 1..99 (got ${bad})` }]);
    }
  });

  it("rejects a repeated SKU when SKUs must be distinct, naming the first item", () => {
    expect(check([item("MUG"), item("CAP"), item("MUG", 2)])).toEqual([
      { field: "items[2].sku", description: "repeats the SKU of items[0] (MUG)" },
    ]);
    expect(check([item("MUG"), item("MUG", 2)], false)).toEqual([]);
  });

  it("reports every bad field at once, in order", () => {
    expect(check([item("ab", 0), item("CAP", 100)]).map((v) => v.field)).toEqual([
      "items[0].sku",
      "items[0].quantity",
      "items[1].quantity",
    ]);
  });
});

describe("totalUnits", () => {
  it("adds up the quantities", () => {
    expect(totalUnits([item("MUG", 2), item("CAP", 3), item("MUG", 1)])).toBe(6);
  });
});

describe("sameItems", () => {
  it("compares the items as a set of SKU and quantity", () => {
    expect(sameItems([item("MUG", 2), item("CAP", 1)], [item("CAP", 1), item("MUG", 2)])).toBe(true);
    expect(sameItems([item("MUG", 2)], [item("MUG", 3)])).toBe(false);
    expect(sameItems([item("MUG", 2)], [item("MUG", 2), item("CAP", 1)])).toBe(false);
    expect(sameItems([item("MUG", 2), item("CAP", 1)], [item("MUG", 2), item("HAT", 1)])).toBe(false);
    expect(sameItems([item("MUG", 1), item("CAP", 1)], [item("MUG", 1), item("MUG", 1)])).toBe(false);
  });
});
