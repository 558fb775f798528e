// The rules of shop.common.v1.Address, field by field.
import { describe, expect, it } from "@jest/globals";
import { addressViolations, copyAddress, sameAddress, type AddressFields } from "../src/address.js";
import { assignedRegionCodes } from "../src/region-codes.js";

const valid: AddressFields = {
  recipientName: "Ada Lovelace",
  streetLines: ["1 Market St", "Apt 2"],
  city: "San Francisco",
  postalCode: "94103",
  regionCode: "US",
};

const with_ = (change: Partial<AddressFields>): AddressFields => ({ ...valid, ...change });
const fields = (address: AddressFields | undefined, path?: string): string[] => addressViolations(address, path).map((v) => v.field);
/** The one violation of `address`, which must have exactly one. */
const only = (address: AddressFields): { field: string; description: string } => {
  const violations = addressViolations(address);
  expect(violations).toHaveLength(1);
  return violations[0]!;
};

describe("addressViolations", () => {
  it("accepts a valid US address, and a valid non-US one without a postal code", () => {
    expect(addressViolations(valid)).toEqual([]);
    expect(addressViolations(with_({ regionCode: "HK", postalCode: "" }))).toEqual([]);
    expect(addressViolations(with_({ regionCode: "DE", postalCode: "10115", city: "Berlin" }))).toEqual([]);
  });

  it("requires the address itself, under the path it is given", () => {
    expect(addressViolations(undefined)).toEqual([{ field: "address", description: "is required" }]);
    expect(fields(undefined, "shipping_address")).toEqual(["shipping_address"]);
  });

  it("names fields below the path it is given", () => {
    expect(fields(with_({ city: "" }), "shipping_address")).toEqual(["shipping_address.city"]);
  });

  it("reports every bad field at once, in field order", () => {
    const bad: AddressFields = { recipientName: "", streetLines: [" "], city: "", postalCode: "94_03", regionCode: "us" };
    expect(fields(bad)).toEqual([
      "address.recipient_name",
      "address.street_lines[0]",
      "address.city",
      "address.postal_code",
      "address.region_code",
    ]);
  });

  describe.each([
    ["recipient_name", "recipientName"],
    ["city", "city"],
  ] as const)("%s", (field, key) => {
    it("is required", () => {
      expect(only(with_({ [key]: "" }))).toEqual({ field: `address.${field}`, description: "is required" });
    });
    it("is 1..100 characters, counted in code points", () => {
      expect(addressViolations(with_({ [key]: "x" }))).toEqual([]);
      expect(addressViolations(with_({ [key]: "x".repeat(100) }))).toEqual([]);
      expect(addressViolations(with_({ [key]: "😀".repeat(100) }))).toEqual([]); // 200 UTF-16 units
      expect(only(with_({ [key]: "x".repeat(101) }))).toEqual({ field: `address.${field}`, description: "must be at most 100 characters" });
    });
    it("is not blank, and not trimmed", () => {
      expect(only(with_({ [key]: "   " })).description).toBe("must not be blank");
      expect(only(with_({ [key]: "\t\n\u00a0" })).description).toBe("must not be blank");
      expect(addressViolations(with_({ [key]: "  Ada  " }))).toEqual([]);
    });
  });

  describe("street_lines", () => {
    it("needs 1..3 lines", () => {
      expect(only(with_({ streetLines: [] }))).toEqual({ field: "address.street_lines", description: "is required (1..3 lines)" });
      expect(addressViolations(with_({ streetLines: ["a"] }))).toEqual([]);
      expect(addressViolations(with_({ streetLines: ["a", "b", "c"] }))).toEqual([]);
      expect(only(with_({ streetLines: ["a", "b", "c", "d"] }))).toEqual({
        field: "address.street_lines",
        description: "must have at most 3 lines (got 4)",
      });
    });
    it("checks each line: 1..100 characters, not blank, by index", () => {
      expect(fields(with_({ streetLines: ["ok", "", "x".repeat(101)] }))).toEqual(["address.street_lines[1]", "address.street_lines[2]"]);
      expect(only(with_({ streetLines: ["ok", "  "] }))).toEqual({ field: "address.street_lines[1]", description: "must not be blank" });
      expect(addressViolations(with_({ streetLines: ["x".repeat(100)] }))).toEqual([]);
    });
  });

  describe("postal_code", () => {
    it("in the US is five digits or ZIP+4, and required", () => {
      for (const ok of ["94103", "94103-1234", "00501"]) expect(addressViolations(with_({ postalCode: ok }))).toEqual([]);
      expect(only(with_({ postalCode: "" }))).toEqual({
        field: "address.postal_code",
        description: 'is required when region_code is "US"',
      });
      for (const bad of ["9410", "941030", "94103-123", "94103 1234", "94103-", "ABCDE", " 94103", "94103\n", "９４１０３"]) {
        expect(only(with_({ postalCode: bad }))).toEqual({
          field: "address.postal_code",
          description: 'must be a US ZIP code: five digits or ZIP+4 ("94103", "94103-1234")',
        });
      }
    });
    it("elsewhere is optional: at most 20 characters of A-Z, a-z, 0-9, space and '-'", () => {
      const inGB = (postalCode: string): AddressFields => with_({ regionCode: "GB", postalCode });
      for (const ok of ["", "SW1A 1AA", "sw1a 1aa", "1234-567", "x".repeat(20), "9410"]) expect(addressViolations(inGB(ok))).toEqual([]);
      expect(only(inGB("x".repeat(21)))).toEqual({ field: "address.postal_code", description: "must be at most 20 characters" });
      for (const bad of ["SW1A_1AA", "75001.", "Ü1234", "12\t34"]) {
        expect(only(inGB(bad))).toEqual({ field: "address.postal_code", description: "may contain only A-Z, a-z, 0-9, space and '-'" });
      }
    });
    it('follows the US rule only for exactly "US"', () => {
      expect(fields(with_({ regionCode: "us", postalCode: "SW1A 1AA" }))).toEqual(["address.region_code"]);
    });
  });

  describe("region_code", () => {
    it("is required", () => {
      expect(fields(with_({ regionCode: "", postalCode: "" }))).toEqual(["address.region_code"]);
    });
    it("is two uppercase letters", () => {
      for (const bad of ["us", "Us", "USA", "U", "U1", " US", "ÜS"]) {
        expect(only(with_({ regionCode: bad, postalCode: "" }))).toEqual({
          field: "address.region_code",
          description: 'must be two uppercase letters (an ISO 3166-1 alpha-2 code, e.g. "US")',
        });
      }
    });
    it("names an assigned ISO 3166-1 code", () => {
      for (const ok of ["DE", "GB", "JP", "BR", "AQ", "SS", "BQ"])
        expect(addressViolations(with_({ regionCode: ok, postalCode: "" }))).toEqual([]);
      for (const bad of ["XX", "ZZ", "EU", "UK", "XK", "AN", "AA"]) {
        expect(only(with_({ regionCode: bad, postalCode: "" }))).toEqual({
          field: "address.region_code",
          description: `"${bad}" is not an assigned ISO 3166-1 alpha-2 code`,
        });
      }
    });
  });
});

describe("the region code list", () => {
  it("holds the 249 officially assigned codes, each one a region ICU can name", () => {
    expect(assignedRegionCodes.size).toBe(249);
    const names = new Intl.DisplayNames(["en"], { type: "region" });
    for (const code of assignedRegionCodes) {
      expect(code).toMatch(/^[A-Z]{2}$/);
      expect(names.of(code)).not.toBe(code);
    }
  });
});

describe("sameAddress", () => {
  it("compares every field exactly, street lines in order", () => {
    expect(sameAddress(valid, with_({}))).toBe(true);
    expect(sameAddress(valid, with_({ streetLines: ["Apt 2", "1 Market St"] }))).toBe(false);
    expect(sameAddress(valid, with_({ streetLines: ["1 Market St"] }))).toBe(false);
    expect(sameAddress(valid, with_({ city: "San Francisco " }))).toBe(false);
    expect(sameAddress(valid, with_({ recipientName: "ada lovelace" }))).toBe(false);
    expect(sameAddress(valid, with_({ postalCode: "94103-0001" }))).toBe(false);
    expect(sameAddress(valid, with_({ regionCode: "PR" }))).toBe(false);
  });
});

describe("copyAddress", () => {
  it("copies every field, with street lines of its own and nothing else", () => {
    const message = { $typeName: "shop.common.v1.Address", ...valid, streetLines: [...valid.streetLines] };
    const copy = copyAddress(message);
    expect(copy).toEqual({ ...valid, streetLines: [...valid.streetLines] });
    expect(Object.keys(copy)).not.toContain("$typeName");
    expect(copy.streetLines).not.toBe(message.streetLines);
  });
});
