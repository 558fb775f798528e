import { describe, expect, it } from "@jest/globals";
import { cardBrand, cardLast4, cardNumberProblem, isCardExpired, isLuhnValid, normalizeCardNumber } from "../src/card.js";

describe("the Luhn check", () => {
  it.each(["4242424242424242", "4000000000000002", "5555555555554444", "378282246310005", "6011111111111117", "79927398713"])(
    "accepts %s",
    (digits) => expect(isLuhnValid(digits)).toBe(true),
  );

  it.each(["4242424242424241", "4000000000000001", "79927398710", "1234567812345678"])("rejects %s", (digits) =>
    expect(isLuhnValid(digits)).toBe(false),
  );

  it("rejects anything that is not all digits", () => {
    expect(isLuhnValid("")).toBe(false);
    expect(isLuhnValid("4242 4242 4242 4242")).toBe(false);
    expect(isLuhnValid("42424242424242a2")).toBe(false);
  });
});

describe("a card number as entered", () => {
  it("may have spaces anywhere", () => {
    expect(normalizeCardNumber(" 4242 4242 4242 4242 ")).toBe("4242424242424242");
    expect(cardNumberProblem("4242 4242 4242 4242")).toBeUndefined();
    expect(cardNumberProblem("42 424242424242 42")).toBeUndefined();
  });

  it("is required, digits and spaces only, 13..19 digits, Luhn-valid", () => {
    expect(cardNumberProblem("")).toBe("is required");
    expect(cardNumberProblem("   ")).toBe("is required");
    expect(cardNumberProblem("4242-4242-4242-4242")).toBe("must contain only digits and spaces");
    expect(cardNumberProblem("4242\t4242 4242 4242")).toBe("must contain only digits and spaces");
    expect(cardNumberProblem("424242424242")).toBe("must have 13 to 19 digits");
    expect(cardNumberProblem("42424242424242424242")).toBe("must have 13 to 19 digits");
    expect(cardNumberProblem("4222222222222")).toBeUndefined(); // 13 digits
    expect(cardNumberProblem("4242 4242 4242 4241")).toBe("is not a valid card number (Luhn check failed)");
  });

  it("never repeats the number in its problem", () => {
    for (const number of ["4242 4242 4242 4241", "4242-4242-4242-4242", "42424242"]) {
      expect(cardNumberProblem(number)).not.toContain("4242");
    }
  });
});

describe("card brand by prefix", () => {
  it.each([
    ["4242424242424242", "visa"],
    ["4000000000000002", "visa"],
    ["5105105105105100", "mastercard"],
    ["5555555555554444", "mastercard"],
    ["2221000000000009", "mastercard"],
    ["2720999999999996", "mastercard"],
    ["378282246310005", "amex"],
    ["341111111111111", "amex"],
    ["6011111111111117", "discover"],
    ["6500000000000002", "discover"],
    ["6440000000000005", "discover"],
    ["5000000000000009", "unknown"],
    ["5600000000000003", "unknown"],
    ["2220990000000001", "unknown"],
    ["2721000000000004", "unknown"],
    ["3530111333300000", "unknown"],
  ])("%s is %s", (digits, brand) => expect(cardBrand(digits)).toBe(brand));

  it("keeps the last four digits", () => {
    expect(cardLast4("378282246310005")).toBe("0005");
  });
});

describe("card expiry, by a fixed clock", () => {
  const at = (iso: string): number => Date.parse(iso);

  it("accepts a card expiring this month, through its last millisecond (UTC)", () => {
    expect(isCardExpired(6, 2030, at("2030-06-01T00:00:00Z"))).toBe(false);
    expect(isCardExpired(6, 2030, at("2030-06-30T23:59:59.999Z"))).toBe(false);
  });

  it("rejects it from the first moment of the next month", () => {
    expect(isCardExpired(6, 2030, at("2030-07-01T00:00:00Z"))).toBe(true);
  });

  it("rejects last month and last year, accepts later ones", () => {
    const now = at("2030-06-15T12:00:00Z");
    expect(isCardExpired(5, 2030, now)).toBe(true);
    expect(isCardExpired(12, 2029, now)).toBe(true);
    expect(isCardExpired(7, 2030, now)).toBe(false);
    expect(isCardExpired(1, 2031, now)).toBe(false);
  });

  it("goes by UTC, not local time", () => {
    // 00:30 on 1 July in UTC+2 is still June in UTC.
    expect(isCardExpired(6, 2030, at("2030-07-01T00:30:00+02:00"))).toBe(false);
  });
});
