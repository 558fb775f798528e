import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { MoneySchema } from "@shopmesh/gen/google/type/money_pb.js";
import { addMoney, formatMoney } from "../src/money.js";

const usd = (units: number, nanos = 0) => create(MoneySchema, { currencyCode: "USD", units: BigInt(units), nanos });

describe("money", () => {
  it("shows dollars and cents", () => {
    expect(formatMoney(usd(12, 500_000_000))).toBe("$12.50");
    expect(formatMoney(usd(1234, 0))).toBe("$1,234.00");
    expect(formatMoney(undefined)).toBe("—");
  });

  it("adds amounts, carrying cents into dollars", () => {
    expect(formatMoney(addMoney(usd(12, 500_000_000), usd(4, 990_000_000)))).toBe("$17.49");
  });
});
