// The rate table and the money it is paid in.
import { describe, expect, it } from "@jest/globals";
import { usdFromCents } from "../src/money.js";
import { quoteShipping, rateTable, shippingZone } from "../src/quote.js";
import { euMemberStates } from "../src/region-codes.js";
import { isAssignedRegionCode } from "@shopmesh/domain";

describe("shippingZone", () => {
  it('is domestic for "US" only, eu for the member states, international for the rest', () => {
    expect(shippingZone("US")).toBe("domestic");
    for (const code of ["DE", "FR", "IE", "SE", "MT"]) expect(shippingZone(code)).toBe("eu");
    for (const code of ["GB", "CH", "NO", "CA", "PR", "JP"]) expect(shippingZone(code)).toBe("international");
  });
});

describe("euMemberStates", () => {
  it("counts the 27 EU member states, all assigned", () => {
    expect(euMemberStates.size).toBe(27);
    for (const code of euMemberStates) expect(isAssignedRegionCode(code)).toBe(true);
  });
});

describe("quoteShipping", () => {
  it("is the zone's base plus its per-unit amount per unit", () => {
    expect(quoteShipping("US", 1)).toEqual({ zone: "domestic", costCents: 499 + 99, estimatedDays: 3 });
    expect(quoteShipping("DE", 3)).toEqual({ zone: "eu", costCents: 1_499 + 3 * 199, estimatedDays: 7 });
    expect(quoteShipping("JP", 10)).toEqual({ zone: "international", costCents: 2_499 + 10 * 299, estimatedDays: 12 });
  });

  it("is deterministic", () => {
    expect(quoteShipping("FR", 7)).toEqual(quoteShipping("FR", 7));
  });

  it("costs more for more units, in every zone", () => {
    for (const region of ["US", "DE", "BR"]) {
      for (let units = 1; units < 4_950; units += 97) {
        expect(quoteShipping(region, units + 1).costCents).toBeGreaterThan(quoteShipping(region, units).costCents);
      }
    }
  });

  it("differs between zones: domestic < EU < international, in cost and in days", () => {
    const [us, eu, row] = [quoteShipping("US", 5), quoteShipping("IT", 5), quoteShipping("AU", 5)];
    expect(us.costCents).toBeLessThan(eu.costCents);
    expect(eu.costCents).toBeLessThan(row.costCents);
    expect(us.estimatedDays).toBeLessThan(eu.estimatedDays);
    expect(eu.estimatedDays).toBeLessThan(row.estimatedDays);
  });

  it("stays within the contract: whole, non-negative cents and 1..60 days, up to 50 × 99 units", () => {
    for (const rate of Object.values(rateTable)) {
      expect(rate.estimatedDays).toBeGreaterThanOrEqual(1);
      expect(rate.estimatedDays).toBeLessThanOrEqual(60);
    }
    const most = quoteShipping("AU", 50 * 99);
    expect(Number.isSafeInteger(most.costCents)).toBe(true);
    expect(quoteShipping("US", 0).costCents).toBeGreaterThanOrEqual(0);
  });
});

describe("usdFromCents", () => {
  it("splits whole cents into units and nanos", () => {
    expect(usdFromCents(0)).toMatchObject({ currencyCode: "USD", units: 0n, nanos: 0 });
    expect(usdFromCents(598)).toMatchObject({ currencyCode: "USD", units: 5n, nanos: 980_000_000 });
    expect(usdFromCents(1_200)).toMatchObject({ currencyCode: "USD", units: 12n, nanos: 0 });
    expect(usdFromCents(7)).toMatchObject({ currencyCode: "USD", units: 0n, nanos: 70_000_000 });
  });
  it("refuses negative or fractional cents", () => {
    expect(() => usdFromCents(-1)).toThrow(RangeError);
    expect(() => usdFromCents(1.5)).toThrow(RangeError);
  });
});
