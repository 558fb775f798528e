// Money as whole cents: conversions both ways and the sums an order is made of.
import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { MoneySchema } from "@shopmesh/gen/google/type/money_pb.js";
import { amountFromMoney, formatAmount, moneyFromAmount, multiplyCents, sumCents } from "../src/money.js";

const usd = (units: bigint, nanos: number) => create(MoneySchema, { currencyCode: "USD", units, nanos });

describe("amountFromMoney", () => {
  it("reads whole cents", () => {
    expect(amountFromMoney(usd(12n, 500_000_000))).toEqual({ currency: "USD", cents: 1250 });
    expect(amountFromMoney(usd(0n, 10_000_000))).toEqual({ currency: "USD", cents: 1 });
    expect(amountFromMoney(usd(0n, 0))).toEqual({ currency: "USD", cents: 0 });
  });

  it("refuses what is not a non-negative amount of whole cents", () => {
    expect(amountFromMoney(undefined)).toBe("amount is missing");
    expect(amountFromMoney(usd(1n, 5_000_000))).toBe("amount is not whole cents");
    expect(amountFromMoney(usd(-1n, 0))).toBe("amount is negative");
    expect(amountFromMoney(usd(0n, -10_000_000))).toBe("amount is negative");
    expect(amountFromMoney(create(MoneySchema, { currencyCode: "usd", units: 1n }))).toMatch(/ISO 4217/);
    expect(amountFromMoney(usd(2n ** 60n, 0))).toBe("amount is too large");
  });
});

describe("moneyFromAmount", () => {
  it("writes units and nanos", () => {
    expect(moneyFromAmount({ currency: "USD", cents: 1250 })).toEqual({ currencyCode: "USD", units: 12n, nanos: 500_000_000 });
    expect(moneyFromAmount({ currency: "USD", cents: 7 })).toEqual({ currencyCode: "USD", units: 0n, nanos: 70_000_000 });
    expect(moneyFromAmount({ currency: "USD", cents: 0 })).toEqual({ currencyCode: "USD", units: 0n, nanos: 0 });
  });

  it("round-trips", () => {
    for (const cents of [0, 1, 99, 100, 101, 123_456_789]) {
      expect(amountFromMoney(create(MoneySchema, moneyFromAmount({ currency: "EUR", cents })))).toEqual({ currency: "EUR", cents });
    }
  });
});

describe("order sums", () => {
  it("multiplies unit prices and adds line totals exactly", () => {
    // 0.1 + 0.2 in floating point is the classic trap; cents are integers.
    expect(sumCents([multiplyCents(10, 3), multiplyCents(20, 1)])).toBe(50);
    expect(multiplyCents(1999, 99)).toBe(197_901);
    expect(sumCents([])).toBe(0);
  });

  it("refuses sums beyond a safe integer", () => {
    expect(() => sumCents([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
    expect(() => multiplyCents(Number.MAX_SAFE_INTEGER, 2)).toThrow(RangeError);
  });

  it("formats amounts for notifications", () => {
    expect(formatAmount({ currency: "USD", cents: 2598 })).toBe("USD 25.98");
    expect(formatAmount({ currency: "USD", cents: 5 })).toBe("USD 0.05");
  });
});
