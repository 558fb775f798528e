import { describe, expect, it } from "@jest/globals";
import {
  add,
  amountFromMoney,
  checkMoney,
  compare,
  formatAmount,
  isCurrencyCode,
  minorUnitDigits,
  moneyFromAmount,
  multiply,
  safeMinor,
  sameAmount,
  sum,
  type AmountSign,
  type MoneyFields,
} from "../src/money.js";

const money = (units: bigint, nanos = 0, currencyCode = "USD"): MoneyFields => ({ currencyCode, units, nanos });
/** The Money fields at fault, for an amount of `sign`. */
const faults = (m: MoneyFields, sign: AmountSign = "non-negative"): string[] => {
  const result = amountFromMoney(m, sign);
  return Array.isArray(result) ? result.map((p) => p.field) : [];
};

describe("minor units and google.type.Money", () => {
  it("knows how many digits each currency's minor unit has", () => {
    expect(minorUnitDigits("USD")).toBe(2);
    expect(minorUnitDigits("EUR")).toBe(2);
    expect(minorUnitDigits("JPY")).toBe(0);
    expect(minorUnitDigits("BHD")).toBe(3);
  });

  it("turns units and nanos into whole minor units", () => {
    expect(amountFromMoney({ currencyCode: "USD", units: 12n, nanos: 500_000_000 })).toEqual({ currencyCode: "USD", minor: 1250n });
    expect(amountFromMoney({ currencyCode: "USD", units: 0n, nanos: 10_000_000 })).toEqual({ currencyCode: "USD", minor: 1n });
    expect(amountFromMoney({ currencyCode: "USD", units: 0n, nanos: 0 })).toEqual({ currencyCode: "USD", minor: 0n });
    expect(amountFromMoney({ currencyCode: "EUR", units: 3n, nanos: 990_000_000 })).toEqual({ currencyCode: "EUR", minor: 399n });
  });

  it("uses each currency's own minor unit", () => {
    expect(amountFromMoney({ currencyCode: "JPY", units: 1500n, nanos: 0 })).toEqual({ currencyCode: "JPY", minor: 1500n });
    expect(amountFromMoney({ currencyCode: "BHD", units: 1n, nanos: 5_000_000 })).toEqual({ currencyCode: "BHD", minor: 1005n });
    expect(moneyFromAmount({ currencyCode: "BHD", minor: 1005n })).toMatchObject({ units: 1n, nanos: 5_000_000 });
    expect(moneyFromAmount({ currencyCode: "JPY", minor: 1500n })).toMatchObject({ units: 1500n, nanos: 0 });
  });

  it("keeps prices beyond 2^53 cents exact", () => {
    const units = 9_000_000_000_000_000n;
    expect(amountFromMoney({ currencyCode: "USD", units, nanos: 990_000_000 })).toEqual({ currencyCode: "USD", minor: units * 100n + 99n });
  });

  it("refuses what is not an amount: fractions of a minor unit, negatives, bad currency codes", () => {
    expect(faults(money(1n, 5_000_000))).toEqual(["nanos"]);
    expect(faults(money(1n, 500_000_000, "JPY"))).toEqual(["nanos"]);
    expect(faults(money(1n, 500_000, "BHD"))).toEqual(["nanos"]);
    expect(faults(money(-1n))).toEqual(["units"]);
    expect(faults(money(0n, -10_000_000))).toEqual(["nanos"]);
    expect(faults(money(-1n, -1, ""))).toEqual(["currency_code", "units", "nanos"]);
    expect(faults(money(0n, 1_000_000_000))).toEqual(["nanos"]);
    expect(faults(money(0n, 1.5))).toEqual(["nanos"]);
    for (const code of ["usd", "", "US", "ABC", "XYZ"]) expect(faults(money(1n, 0, code))).toEqual(["currency_code"]);
    expect(amountFromMoney(money(1n, 5_000_000))).toEqual([
      { field: "nanos", description: "must be whole minor units of USD (a multiple of 10000000)" },
    ]);
  });

  it("asks a positive amount to be more than zero, units and nanos of one sign", () => {
    expect(amountFromMoney(money(0n, 10_000_000), "positive")).toEqual({ currencyCode: "USD", minor: 1n });
    expect(faults(money(0n), "positive")).toEqual(["units"]);
    expect(faults(money(-1n), "positive")).toEqual(["units"]);
    expect(faults(money(0n, -10_000_000), "positive")).toEqual(["units"]);
    expect(faults(money(1n, -10_000_000), "positive")).toEqual(["nanos"]);
    expect(faults(money(0n, 0, "ABC"), "positive")).toEqual(["currency_code", "units"]);
    expect(faults(money(0n))).toEqual([]);
  });

  it("names a request's Money fields under its path", () => {
    expect(checkMoney(undefined, "product.price", "non-negative")).toEqual([{ field: "product.price", description: "is required" }]);
    expect(checkMoney(money(1n, 0, "usd"), "amount", "positive")).toEqual([
      { field: "amount.currency_code", description: 'must be an ISO 4217 currency code such as "USD" (got "usd")' },
    ]);
    expect(checkMoney(money(1n, 5_000_000, "BHD"), "amount", "positive")).toEqual({ currencyCode: "BHD", minor: 1005n });
  });

  it("turns cents into units and nanos", () => {
    expect(moneyFromAmount({ currencyCode: "USD", minor: 1250n })).toMatchObject({ currencyCode: "USD", units: 12n, nanos: 500_000_000 });
    expect(moneyFromAmount({ currencyCode: "USD", minor: 7n })).toMatchObject({ units: 0n, nanos: 70_000_000 });
    expect(moneyFromAmount({ currencyCode: "USD", minor: 0n })).toMatchObject({ units: 0n, nanos: 0 });
    expect(moneyFromAmount({ currencyCode: "USD", minor: 100n })).toMatchObject({ units: 1n, nanos: 0 });
  });

  it("round-trips every cent value of two dollars", () => {
    for (let minor = 0n; minor < 200n; minor++) {
      expect(amountFromMoney(moneyFromAmount({ currencyCode: "USD", minor }))).toEqual({ currencyCode: "USD", minor });
    }
  });

  it("multiplies a unit price by a quantity exactly", () => {
    expect(multiply({ currencyCode: "USD", minor: 1999n }, 99)).toEqual({ currencyCode: "USD", minor: 197_901n });
    expect(moneyFromAmount(multiply({ currencyCode: "USD", minor: 10n }, 3))).toMatchObject({ units: 0n, nanos: 300_000_000 });
  });
});

describe("arithmetic and formatting", () => {
  const usd = (minor: bigint) => ({ currencyCode: "USD", minor });
  it("adds, sums and compares in one currency", () => {
    expect(add(usd(1250n), usd(499n))).toEqual(usd(1749n));
    expect(sum("USD", [usd(1n), usd(2n), usd(3n)])).toEqual(usd(6n));
    expect(sum("BHD", [])).toEqual({ currencyCode: "BHD", minor: 0n });
    expect([compare(usd(1n), usd(2n)), compare(usd(2n), usd(2n)), compare(usd(3n), usd(2n))]).toEqual([-1, 0, 1]);
    expect(sameAmount(usd(5n), usd(5n))).toBe(true);
    expect(sameAmount(usd(5n), { currencyCode: "EUR", minor: 5n })).toBe(false);
  });

  it("refuses to add different currencies", () => {
    expect(() => add(usd(1n), { currencyCode: "EUR", minor: 1n })).toThrow(RangeError);
    expect(() => sum("USD", [{ currencyCode: "BHD", minor: 1n }])).toThrow(RangeError);
  });

  it("formats with the currency's own digits", () => {
    expect(formatAmount(usd(1205n))).toBe("USD 12.05");
    expect(formatAmount(usd(7n))).toBe("USD 0.07");
    expect(formatAmount({ currencyCode: "JPY", minor: 1250n })).toBe("JPY 1250");
    expect(formatAmount({ currencyCode: "BHD", minor: 1005n })).toBe("BHD 1.005");
  });

  it("gives a safe-integer number of minor units, or nothing beyond it", () => {
    expect(safeMinor(usd(1250n))).toBe(1250);
    expect(safeMinor(usd(BigInt(Number.MAX_SAFE_INTEGER)))).toBe(Number.MAX_SAFE_INTEGER);
    expect(safeMinor(usd(BigInt(Number.MAX_SAFE_INTEGER) + 1n))).toBeUndefined();
  });
});

describe("currency codes", () => {
  it.each(["USD", "EUR", "JPY", "GBP", "CHF", "BHD"])("accepts %s", (code) => expect(isCurrencyCode(code)).toBe(true));
  it.each(["usd", "US", "USDX", "", "XXX", "ABC", "DEM"])("rejects %p", (code) => expect(isCurrencyCode(code)).toBe(false));
});
