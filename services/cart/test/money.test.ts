import { describe, expect, it } from "@jest/globals";
import { amountFromMoney, minorUnitDigits, moneyFromAmount, multiply } from "../src/money.js";

describe("minor units and google.type.Money", () => {
  it("knows how many digits each currency's minor unit has", () => {
    expect(minorUnitDigits("USD")).toBe(2);
    expect(minorUnitDigits("EUR")).toBe(2);
    expect(minorUnitDigits("JPY")).toBe(0);
    expect(minorUnitDigits("BHD")).toBe(3);
  });

  it("turns units and nanos into whole cents", () => {
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

  it("refuses what is not a price: fractions of a minor unit, negatives, bad currency codes", () => {
    expect(amountFromMoney({ currencyCode: "USD", units: 1n, nanos: 5_000_000 })).toBe("amount is not a whole number of USD minor units");
    expect(amountFromMoney({ currencyCode: "JPY", units: 1n, nanos: 500_000_000 })).toBe("amount is not a whole number of JPY minor units");
    expect(amountFromMoney({ currencyCode: "USD", units: -1n, nanos: 0 })).toBe("amount is negative");
    expect(amountFromMoney({ currencyCode: "USD", units: 0n, nanos: -10_000_000 })).toBe("amount is negative");
    expect(amountFromMoney({ currencyCode: "USD", units: 0n, nanos: 1_000_000_000 })).toBe("nanos is out of range");
    expect(amountFromMoney({ currencyCode: "usd", units: 1n, nanos: 0 })).toMatch(/not an ISO 4217 code/);
    expect(amountFromMoney({ currencyCode: "", units: 1n, nanos: 0 })).toMatch(/not an ISO 4217 code/);
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
