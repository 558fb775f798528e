import { describe, expect, it } from "@jest/globals";
import {
  cartTotals,
  maxDistinctProducts,
  maxLineQuantity,
  productIdProblem,
  quantityProblem,
  refusalViolations,
  type CartLine,
} from "../src/cart.js";
import { cartMessage } from "../src/cart-message.js";

const line = (productId: string, quantity: number, cents: bigint, currencyCode = "USD"): CartLine => ({
  productId,
  sku: `SKU-${productId.toUpperCase()}`,
  name: `Product ${productId}`,
  quantity,
  unitPrice: { currencyCode, minor: cents },
});

describe("cart limits", () => {
  it("are the contract's: 99 units a line, 50 distinct products", () => {
    expect(maxLineQuantity).toBe(99);
    expect(maxDistinctProducts).toBe(50);
  });

  it("accept quantities 1..99 and nothing else", () => {
    expect(quantityProblem(1)).toBeUndefined();
    expect(quantityProblem(99)).toBeUndefined();
    expect(quantityProblem(0)).toBe("must be between 1 and 99 (got 0)");
    expect(quantityProblem(-3)).toBe("must be between 1 and 99 (got -3)");
    expect(quantityProblem(100)).toBe("must be between 1 and 99 (got 100)");
  });

  it("accept product ids of 1..64 characters, counted as code points", () => {
    expect(productIdProblem("p")).toBeUndefined();
    expect(productIdProblem("x".repeat(64))).toBeUndefined();
    expect(productIdProblem("😀".repeat(64))).toBeUndefined(); // 128 UTF-16 units, 64 characters
    expect(productIdProblem("")).toBe("must not be empty");
    expect(productIdProblem("x".repeat(65))).toBe("must be at most 64 characters (got 65)");
  });

  it("describe each refusal with the contract's violation type and subject", () => {
    const item = { productId: "p-1", quantity: 5, unitPrice: { currencyCode: "EUR", minor: 100n } };
    expect(refusalViolations(item, { reasons: ["QUANTITY"], quantityInCart: 97, cartCurrency: "USD" })).toEqual([
      {
        type: "QUANTITY",
        subject: "product/p-1",
        description: "the cart holds 97 of product p-1; adding 5 would exceed 99 per line",
      },
    ]);
    expect(refusalViolations(item, { reasons: ["CART_FULL", "CURRENCY"], quantityInCart: 0, cartCurrency: "USD" })).toEqual([
      { type: "CART_FULL", subject: "cart", description: "the cart already holds 50 distinct products" },
      { type: "CURRENCY", subject: "product/p-1", description: "product p-1 is priced in EUR, the cart in USD" },
    ]);
  });
});

describe("cart totals", () => {
  it("are zero USD for an empty cart", () => {
    expect(cartTotals([])).toEqual({ subtotal: { currencyCode: "USD", minor: 0n }, itemCount: 0 });
  });

  it("sum the line totals and the units", () => {
    const totals = cartTotals([line("a", 3, 1250n, "EUR"), line("b", 1, 999n, "EUR")]);
    expect(totals).toEqual({ subtotal: { currencyCode: "EUR", minor: 4749n }, itemCount: 4 });
  });

  it("reach 4950 units for a full cart without losing a cent", () => {
    const lines = Array.from({ length: 50 }, (_, i) => line(`p${i}`, 99, 1_999n));
    expect(cartTotals(lines)).toEqual({ subtotal: { currencyCode: "USD", minor: 50n * 99n * 1_999n }, itemCount: 4950 });
  });
});

describe("the Cart message", () => {
  it("shows each line's unit price and total, the subtotal and the unit count", () => {
    const cart = cartMessage({ lines: [line("a", 2, 1250n), line("b", 3, 10n)], updateTimeMs: 1_700_000_000_123 });
    expect(cart.lines.map((l) => [l.productId, l.sku, l.name, l.quantity])).toEqual([
      ["a", "SKU-A", "Product a", 2],
      ["b", "SKU-B", "Product b", 3],
    ]);
    expect(cart.lines[0]?.unitPrice).toMatchObject({ currencyCode: "USD", units: 12n, nanos: 500_000_000 });
    expect(cart.lines[0]?.lineTotal).toMatchObject({ currencyCode: "USD", units: 25n, nanos: 0 });
    expect(cart.lines[1]?.lineTotal).toMatchObject({ currencyCode: "USD", units: 0n, nanos: 300_000_000 });
    expect(cart.subtotal).toMatchObject({ currencyCode: "USD", units: 25n, nanos: 300_000_000 });
    expect(cart.itemCount).toBe(5);
    expect(cart.updateTime).toMatchObject({ seconds: 1_700_000_000n, nanos: 123_000_000 });
  });

  it("is an empty cart with a zero USD subtotal and no update_time when nothing was ever added", () => {
    const cart = cartMessage({ lines: [], updateTimeMs: undefined });
    expect(cart.lines).toEqual([]);
    expect(cart.subtotal).toMatchObject({ currencyCode: "USD", units: 0n, nanos: 0 });
    expect(cart.itemCount).toBe(0);
    expect(cart.updateTime).toBeUndefined();
  });
});
