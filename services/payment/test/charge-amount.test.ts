// What payment charges: a positive amount in whole minor units that its store keeps exactly.
import { describe, expect, it } from "@jest/globals";
import { checkChargeAmount } from "../src/charge-amount.js";

const money = (units: bigint, nanos = 0, currencyCode = "USD") => ({ currencyCode, units, nanos });

describe("a chargeable amount", () => {
  it("is whole minor units of a known currency", () => {
    expect(checkChargeAmount(money(12n, 500_000_000), "amount")).toEqual({ currencyCode: "USD", minor: 1250n });
    expect(checkChargeAmount(money(0n, 10_000_000, "EUR"), "amount")).toEqual({ currencyCode: "EUR", minor: 1n });
    expect(checkChargeAmount(money(1n, 5_000_000, "BHD"), "amount")).toEqual({ currencyCode: "BHD", minor: 1005n });
    expect(checkChargeAmount(money(1250n, 0, "JPY"), "amount")).toEqual({ currencyCode: "JPY", minor: 1250n });
    expect(checkChargeAmount(money(90_071_992_547_409n, 910_000_000), "amount")).toEqual({
      currencyCode: "USD",
      minor: BigInt(Number.MAX_SAFE_INTEGER),
    });
  });

  it("names the field at fault", () => {
    const fields = (m: ReturnType<typeof money> | undefined) => {
      const result = checkChargeAmount(m, "amount");
      return Array.isArray(result) ? result.map((p) => p.field) : [];
    };
    expect(fields(undefined)).toEqual(["amount"]);
    expect(fields(money(1n, 0, "usd"))).toEqual(["amount.currency_code"]);
    expect(fields(money(1n, 0, "XYZ"))).toEqual(["amount.currency_code"]);
    expect(fields(money(1n, 0, ""))).toEqual(["amount.currency_code"]);
    expect(fields(money(0n))).toEqual(["amount.units"]);
    expect(fields(money(-1n))).toEqual(["amount.units"]);
    expect(fields(money(0n, -10_000_000))).toEqual(["amount.units"]);
    expect(fields(money(1n, -10_000_000))).toEqual(["amount.nanos"]);
    expect(fields(money(1n, 5_000_000))).toEqual(["amount.nanos"]);
    expect(fields(money(1n, 500_000_000, "JPY"))).toEqual(["amount.nanos"]);
    expect(fields(money(1n, 1_000_000_000))).toEqual(["amount.nanos"]);
    expect(fields(money(90_071_992_547_410n))).toEqual(["amount.units"]);
    expect(fields(money(0n, 0, "ABC"))).toEqual(["amount.currency_code", "amount.units"]);
  });
});
