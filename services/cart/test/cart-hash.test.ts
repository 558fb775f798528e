import { describe, expect, it } from "@jest/globals";
import { cartFromHash, cartKey, hashFromFlatReply } from "../src/store/cart-hash.js";

const stored = (seq: number, quantity: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ seq, quantity, sku: "MUG-1", name: "Mug", currency: "USD", unit_minor: "1250", ...extra });

describe("the stored cart hash", () => {
  it("is keyed by user", () => {
    expect(cartKey("u1")).toBe("cart:u1");
  });

  it("maps to lines in first-added order, with the update time", () => {
    const cart = cartFromHash({
      seq: "3",
      updated_ms: "1700000000000",
      "line:b": stored(3, 1),
      "line:a": stored(1, 2),
      "line:line:odd": stored(2, 4),
    });
    expect(cart.lines.map((l) => [l.productId, l.quantity])).toEqual([
      ["a", 2],
      ["line:odd", 4],
      ["b", 1],
    ]);
    expect(cart.lines[0]).toEqual({
      productId: "a",
      sku: "MUG-1",
      name: "Mug",
      quantity: 2,
      unitPrice: { currencyCode: "USD", minor: 1250n },
    });
    expect(cart.updateTimeMs).toBe(1_700_000_000_000);
  });

  it("maps a missing hash to an empty cart without update time", () => {
    expect(cartFromHash({})).toEqual({ lines: [], updateTimeMs: undefined });
  });

  it("rejects a malformed line instead of showing a wrong cart", () => {
    expect(() => cartFromHash({ "line:a": stored(1, 2, { unit_minor: 12.5 }) })).toThrow("malformed line for product a");
    expect(() => cartFromHash({ "line:a": stored(1, -1) })).toThrow("malformed line for product a");
  });

  it("reads a script's flat HGETALL reply", () => {
    expect(hashFromFlatReply(["seq", "1", "line:a", "{}"])).toEqual({ seq: "1", "line:a": "{}" });
    expect(() => hashFromFlatReply(["seq"])).toThrow("unexpected hash reply");
    expect(() => hashFromFlatReply("OK")).toThrow("unexpected hash reply");
  });
});
