import { describe, expect, it } from "@jest/globals";
import { chargeAmountFromMoney, formatAmount, isCurrencyCode, moneyFromAmount, sameAmount } from "../src/money.js";

const money = (units: bigint, nanos = 0, currencyCode = "USD") => ({ currencyCode, units, nanos });

describe("a chargeable amount", () => {
  it("is whole cents of a known currency", () => {
    expect(chargeAmountFromMoney(money(12n, 500_000_000))).toEqual({ currencyCode: "USD", cents: 1250 });
    expect(chargeAmountFromMoney(money(0n, 10_000_000, "EUR"))).toEqual({ currencyCode: "EUR", cents: 1 });
    expect(chargeAmountFromMoney(money(90_071_992_547_409n, 910_000_000))).toEqual({ currencyCode: "USD", cents: Number.MAX_SAFE_INTEGER });
  });

  it("names the field at fault", () => {
    const fields = (m: ReturnType<typeof money>) => {
      const result = chargeAmountFromMoney(m);
      return Array.isArray(result) ? result.map((p) => p.field) : [];
    };
    expect(fields(money(1n, 0, "usd"))).toEqual(["currency_code"]);
    expect(fields(money(1n, 0, "XYZ"))).toEqual(["currency_code"]);
    expect(fields(money(1n, 0, ""))).toEqual(["currency_code"]);
    expect(fields(money(0n))).toEqual(["units"]);
    expect(fields(money(-1n))).toEqual(["units"]);
    expect(fields(money(0n, -10_000_000))).toEqual(["units"]);
    expect(fields(money(1n, -10_000_000))).toEqual(["nanos"]);
    expect(fields(money(1n, 5_000_000))).toEqual(["nanos"]);
    expect(fields(money(1n, 1_000_000_000))).toEqual(["nanos"]);
    expect(fields(money(90_071_992_547_410n))).toEqual(["units"]);
    expect(fields(money(0n, 0, "ABC"))).toEqual(["currency_code", "units"]);
  });
});

describe("amount helpers", () => {
  it("turn cents back into Money", () => {
    expect(moneyFromAmount({ currencyCode: "USD", cents: 1250 })).toMatchObject({ currencyCode: "USD", units: 12n, nanos: 500_000_000 });
    expect(moneyFromAmount({ currencyCode: "USD", cents: 7 })).toMatchObject({ units: 0n, nanos: 70_000_000 });
  });

  it("compare currency and cents", () => {
    expect(sameAmount({ currencyCode: "USD", cents: 5 }, { currencyCode: "USD", cents: 5 })).toBe(true);
    expect(sameAmount({ currencyCode: "USD", cents: 5 }, { currencyCode: "EUR", cents: 5 })).toBe(false);
    expect(sameAmount({ currencyCode: "USD", cents: 5 }, { currencyCode: "USD", cents: 6 })).toBe(false);
  });

  it("format for messages", () => {
    expect(formatAmount({ currencyCode: "USD", cents: 1205 })).toBe("12.05 USD");
  });

  it("know ISO 4217 codes", () => {
    expect(isCurrencyCode("USD")).toBe(true);
    expect(isCurrencyCode("JPY")).toBe(true);
    expect(isCurrencyCode("US")).toBe(false);
    expect(isCurrencyCode("QQQ")).toBe(false);
  });
});
