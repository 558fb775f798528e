import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { MoneySchema } from "@shopmesh/gen/google/type/money_pb.js";
import { Violations, fieldViolations } from "@shopmesh/kit";
import { usdFromCents, validatePrice } from "../src/money.js";

function check(money: { currencyCode?: string; units?: bigint; nanos?: number } | undefined) {
  const violations = new Violations();
  const price = validatePrice(money === undefined ? undefined : create(MoneySchema, money), "product.price", violations);
  const problems = violations.empty ? [] : fieldViolations(violations.error()).map((v) => v.field);
  return { price, problems };
}

describe("price validation", () => {
  it("accepts whole cents and returns the amount in minor units", () => {
    expect(check({ currencyCode: "USD", units: 12n, nanos: 500_000_000 })).toEqual({
      price: { currencyCode: "USD", minor: 1250n },
      problems: [],
    });
  });

  it("accepts a free product", () => {
    expect(check({ currencyCode: "USD" }).problems).toEqual([]);
  });

  it("requires a price", () => {
    expect(check(undefined)).toEqual({ price: undefined, problems: ["product.price"] });
  });

  it("requires a valid currency code", () => {
    expect(check({ units: 1n }).problems).toEqual(["product.price.currency_code"]);
    expect(check({ currencyCode: "usd", units: 1n }).problems).toEqual(["product.price.currency_code"]);
    expect(check({ currencyCode: "ZZZ", units: 1n }).problems).toEqual(["product.price.currency_code"]);
  });

  it("rejects negative prices", () => {
    expect(check({ currencyCode: "USD", units: -1n }).problems).toEqual(["product.price.units"]);
    expect(check({ currencyCode: "USD", nanos: -10_000_000 }).problems).toEqual(["product.price.nanos"]);
  });

  it("rejects nanos out of range", () => {
    expect(check({ currencyCode: "USD", nanos: 1_000_000_000 }).problems).toEqual(["product.price.nanos"]);
  });

  it("rejects fractions of a cent", () => {
    expect(check({ currencyCode: "USD", units: 1n, nanos: 5_000_000 }).problems).toEqual(["product.price.nanos"]);
    expect(check({ currencyCode: "USD", units: 1n, nanos: 1 }).problems).toEqual(["product.price.nanos"]);
  });

  it("follows the currency's minor unit: no fractions of a yen, tenths of a cent are fils in BHD", () => {
    expect(check({ currencyCode: "JPY", units: 100n, nanos: 500_000_000 }).problems).toEqual(["product.price.nanos"]);
    expect(check({ currencyCode: "BHD", units: 1n, nanos: 5_000_000 }).problems).toEqual([]);
  });

  it("rejects units beyond what the store keeps exactly", () => {
    expect(check({ currencyCode: "USD", units: BigInt(Number.MAX_SAFE_INTEGER) }).problems).toEqual([]);
    expect(check({ currencyCode: "USD", units: BigInt(Number.MAX_SAFE_INTEGER) + 1n }).problems).toEqual(["product.price.units"]);
  });

  it("reports every problem at once", () => {
    expect(check({ currencyCode: "", units: -1n, nanos: -1 }).problems).toEqual([
      "product.price.currency_code",
      "product.price.units",
      "product.price.nanos",
    ]);
  });
});

describe("demo prices", () => {
  it("turn cents into a USD amount", () => {
    expect(usdFromCents(1250)).toEqual({ currencyCode: "USD", minor: 1250n });
    expect(usdFromCents(5)).toEqual({ currencyCode: "USD", minor: 5n });
    expect(() => usdFromCents(12.5)).toThrow(RangeError);
  });
});
