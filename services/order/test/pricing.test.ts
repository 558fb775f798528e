// Pricing as plain functions: lines at the catalog's prices, shipping added, in every currency's
// own minor unit, and the carts that cannot be ordered as they are.
import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { MoneySchema } from "@shopmesh/gen/google/type/money_pb.js";
import { ProductSchema } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { addShipping, priceLines } from "../src/pricing.js";

const money = (currencyCode: string, units: bigint, nanos = 0) => create(MoneySchema, { currencyCode, units, nanos });
const product = (id: string, price: ReturnType<typeof money>) =>
  create(ProductSchema, { id, sku: `SKU-${id}`, name: `Product ${id}`, price });

function refusal(fn: () => unknown): { code: Code; violations: { type: string; subject: string; description: string }[] } {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    const violations = err.findDetails(PreconditionFailureSchema).flatMap((d) => d.violations);
    return { code: err.code, violations: violations.map((v) => ({ type: v.type, subject: v.subject, description: v.description })) };
  }
  throw new Error("expected a refusal");
}

describe("priceLines", () => {
  it("multiplies each catalog price by its quantity and adds the lines exactly", () => {
    // 0.1 + 0.2 in floating point is the classic trap; minor units are integers.
    const priced = priceLines([
      { product: product("a", money("USD", 0n, 100_000_000)), quantity: 3 },
      { product: product("b", money("USD", 0n, 200_000_000)), quantity: 1 },
      { product: product("c", money("USD", 19n, 990_000_000)), quantity: 99 },
    ]);
    expect(priced.currency).toBe("USD");
    expect(priced.lines.map((l) => [l.productId, l.sku, l.quantity, l.unitPriceMinor, l.lineTotalMinor])).toEqual([
      ["a", "SKU-a", 3, 10, 30],
      ["b", "SKU-b", 1, 20, 20],
      ["c", "SKU-c", 99, 1999, 197_901],
    ]);
    expect(priced.subtotal).toEqual({ currencyCode: "USD", minor: 197_951n });
  });

  it("prices a three-decimal currency in its own minor unit: BHD 1.005 is 1005 fils", () => {
    const priced = priceLines([{ product: product("dates", money("BHD", 1n, 5_000_000)), quantity: 2 }]);
    expect(priced.lines[0]).toMatchObject({ unitPriceMinor: 1005, lineTotalMinor: 2010 });
    expect(priced.subtotal).toEqual({ currencyCode: "BHD", minor: 2010n });
  });

  it("prices a currency without decimals in whole units", () => {
    const priced = priceLines([{ product: product("tea", money("JPY", 1250n)), quantity: 2 }]);
    expect(priced.lines[0]).toMatchObject({ unitPriceMinor: 1250, lineTotalMinor: 2500 });
  });

  it("refuses products priced in different currencies with FAILED_PRECONDITION CURRENCY", () => {
    const items = [
      { product: product("a", money("USD", 1n)), quantity: 1 },
      { product: product("b", money("EUR", 1n)), quantity: 1 },
    ];
    expect(refusal(() => priceLines(items))).toEqual({
      code: Code.FailedPrecondition,
      violations: [{ type: "CURRENCY", subject: "product/b", description: "priced in EUR, not USD" }],
    });
  });

  it("treats a catalog price that is no amount as a fault of the catalog, not the client's", () => {
    expect(() => priceLines([{ product: product("a", money("USD", 1n, 5_000_000)), quantity: 1 }])).toThrow(/bad price/);
  });

  it("refuses amounts beyond what an order can hold", () => {
    const huge = product("a", money("USD", BigInt(Number.MAX_SAFE_INTEGER)));
    expect(() => priceLines([{ product: huge, quantity: 1 }])).toThrow(RangeError);
  });
});

describe("addShipping", () => {
  const usdLines = () => priceLines([{ product: product("a", money("USD", 12n, 500_000_000)), quantity: 2 }]);

  it("adds the quoted cost to the subtotal", () => {
    expect(addShipping(usdLines(), money("USD", 6n, 970_000_000))).toMatchObject({
      currency: "USD",
      subtotalMinor: 2500,
      shippingMinor: 697,
      totalMinor: 3197,
    });
  });

  it("adds a cost in the lines' own currency whatever its digits", () => {
    const bhd = priceLines([{ product: product("dates", money("BHD", 1n, 5_000_000)), quantity: 2 }]);
    expect(addShipping(bhd, money("BHD", 0n, 500_000_000))).toMatchObject({ subtotalMinor: 2010, shippingMinor: 500, totalMinor: 2510 });
  });

  it("refuses a cart in another currency than the quote (a BHD cart, a USD quote) with FAILED_PRECONDITION CURRENCY", () => {
    const bhd = priceLines([{ product: product("dates", money("BHD", 1n, 5_000_000)), quantity: 2 }]);
    expect(refusal(() => addShipping(bhd, money("USD", 4n, 990_000_000)))).toEqual({
      code: Code.FailedPrecondition,
      violations: [{ type: "CURRENCY", subject: "shipping", description: "quoted in USD, not BHD" }],
    });
  });

  it("treats a missing or bad quote as a fault of shipping", () => {
    expect(() => addShipping(usdLines(), undefined)).toThrow(/no cost/);
    expect(() => addShipping(usdLines(), money("USD", -1n))).toThrow(/bad cost/);
  });
});
