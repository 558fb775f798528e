import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { MoneySchema } from "@shopmesh/gen/google/type/money_pb.js";
import { Violations, fieldViolations } from "@shopmesh/kit";
import { isCurrencyCode, minorUnitDigits, moneyFromPrice, usdFromCents, validatePrice } from "../src/money.js";

function check(money: { currencyCode?: string; units?: bigint; nanos?: number } | undefined) {
  const violations = new Violations();
  const price = validatePrice(money === undefined ? undefined : create(MoneySchema, money), "product.price", violations);
  const problems = violations.empty ? [] : fieldViolations(violations.error()).map((v) => v.field);
  return { price, problems };
}

describe("currency codes", () => {
  it.each(["USD", "EUR", "JPY", "GBP", "CHF", "BHD"])("accepts %s", (code) => expect(isCurrencyCode(code)).toBe(true));
  it.each(["usd", "US", "USDX", "", "XXX", "ABC", "DEM"])("rejects %p", (code) => expect(isCurrencyCode(code)).toBe(false));

  it("knows each currency's minor unit", () => {
    expect([minorUnitDigits("USD"), minorUnitDigits("JPY"), minorUnitDigits("BHD")]).toEqual([2, 0, 3]);
  });
});

describe("price validation", () => {
  it("accepts whole cents and returns plain numbers", () => {
    expect(check({ currencyCode: "USD", units: 12n, nanos: 500_000_000 })).toEqual({
      price: { currencyCode: "USD", units: 12, nanos: 500_000_000 },
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

describe("money mapping", () => {
  it("turns cents into units and nanos", () => {
    expect(usdFromCents(1250)).toEqual({ currencyCode: "USD", units: 12, nanos: 500_000_000 });
    expect(usdFromCents(5)).toEqual({ currencyCode: "USD", units: 0, nanos: 50_000_000 });
    expect(() => usdFromCents(12.5)).toThrow(RangeError);
  });

  it("turns a stored price back into google.type.Money with bigint units", () => {
    const money = moneyFromPrice({ currencyCode: "USD", units: 18_900, nanos: 990_000_000 });
    expect(money).toMatchObject({ $typeName: "google.type.Money", currencyCode: "USD", units: 18_900n, nanos: 990_000_000 });
  });
});
