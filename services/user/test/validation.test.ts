// The contract's input rules for Register and Login, as plain functions.
import { describe, expect, it } from "@jest/globals";
import { Violations } from "@shopmesh/kit";
import { checkDisplayName, checkEmail, checkNewPassword, emailProblem, normalizeEmail } from "../src/validation.js";

function violationsOf(check: (v: Violations) => unknown): string[] {
  const v = new Violations();
  check(v);
  if (v.empty) return [];
  const err = v.error();
  return err.rawMessage.split("; ");
}

describe("emails", () => {
  it("are trimmed and lowercased", () => {
    expect(normalizeEmail("  Alice.Smith@Example.COM \t")).toBe("alice.smith@example.com");
  });

  it.each(["a@b.co", "alice+shop@mail.example.org", "o'neil@example.ie", "user@sub.domain.example"])("accept %s", (email) => {
    expect(emailProblem(normalizeEmail(email))).toBeUndefined();
  });

  it.each([
    ["", "must not be empty"],
    ["alice", "must be an email address of the form local@domain.tld"],
    ["@example.com", "must be an email address of the form local@domain.tld"],
    ["alice@localhost", "must be an email address of the form local@domain.tld"],
    ["alice@@example.com", "must be an email address of the form local@domain.tld"],
    ["al@ice@example.com", "must be an email address of the form local@domain.tld"],
    ["alice smith@example.com", "must be an email address of the form local@domain.tld"],
    ["alice@example..com", "must be an email address of the form local@domain.tld"],
    ["alice@.example.com", "must be an email address of the form local@domain.tld"],
    ["alice@example.com.", "must be an email address of the form local@domain.tld"],
    ["ali\u0000ce@example.com", "must be an email address of the form local@domain.tld"],
  ])("reject %j: %s", (email, problem) => {
    expect(emailProblem(normalizeEmail(email))).toBe(problem);
  });

  it("may have 254 characters, not 255", () => {
    const at254 = `${"a".repeat(254 - "@example.com".length)}@example.com`;
    expect(at254).toHaveLength(254);
    expect(emailProblem(at254)).toBeUndefined();
    expect(emailProblem(`a${at254}`)).toBe("must be at most 254 characters");
  });

  it("are checked after trimming, and checkEmail returns the normalized form", () => {
    const v = new Violations();
    expect(checkEmail(v, "email", "  Bob@Example.com  ")).toBe("bob@example.com");
    expect(v.empty).toBe(true);
    expect(violationsOf((w) => checkEmail(w, "email", "   "))).toEqual(["invalid email: must not be empty"]);
  });
});

describe("new passwords", () => {
  it("have 8..128 characters, counted as characters rather than UTF-16 units", () => {
    expect(violationsOf((v) => checkNewPassword(v, "password", "12345678"))).toEqual([]);
    expect(violationsOf((v) => checkNewPassword(v, "password", "x".repeat(128)))).toEqual([]);
    expect(violationsOf((v) => checkNewPassword(v, "password", "😀".repeat(128)))).toEqual([]);
    expect(violationsOf((v) => checkNewPassword(v, "password", "1234567"))).toEqual(["invalid password: must be at least 8 characters"]);
    expect(violationsOf((v) => checkNewPassword(v, "password", "x".repeat(129)))).toEqual([
      "invalid password: must be at most 128 characters",
    ]);
  });

  it("never appear in a violation", () => {
    expect(violationsOf((v) => checkNewPassword(v, "password", "shhh")).join()).not.toContain("shhh");
  });
});

describe("display names", () => {
  it("are trimmed and then 1..100 characters without control characters", () => {
    const v = new Violations();
    expect(checkDisplayName(v, "display_name", "  Zoë Q.  ")).toBe("Zoë Q.");
    expect(checkDisplayName(v, "display_name", "é".repeat(100))).toBe("é".repeat(100));
    expect(v.empty).toBe(true);
    expect(violationsOf((w) => checkDisplayName(w, "display_name", " \t "))).toEqual(["invalid display_name: must not be blank"]);
    expect(violationsOf((w) => checkDisplayName(w, "display_name", "x".repeat(101)))).toEqual([
      "invalid display_name: must be at most 100 characters",
    ]);
    expect(violationsOf((w) => checkDisplayName(w, "display_name", "bad\u0007name"))).toEqual([
      "invalid display_name: must not contain control characters",
    ]);
  });

  it("count characters by code point", () => {
    expect(violationsOf((w) => checkDisplayName(w, "display_name", "😀".repeat(100)))).toEqual([]);
  });
});
