// Signed tokens as plain functions: what they accept and every way they refuse.
import { describe, expect, it } from "@jest/globals";
import { randomBytes } from "node:crypto";
import { createSignedTokens } from "../src/index.js";

describe("signed tokens", () => {
  const tokens = createSignedTokens(randomBytes(32));

  it("give back the payload they sealed", () => {
    expect(tokens.open(tokens.seal({ u: "user-1", c: "42-0" }))).toEqual({ ok: true, payload: { u: "user-1", c: "42-0" } });
  });

  it("refuse every other spelling of a valid signature", () => {
    // Each of the 64 possible last characters: only the one the service wrote is accepted.
    const token = tokens.seal({ after: "p-a" });
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const accepted = [...alphabet].filter((last) => tokens.open(token.slice(0, -1) + last).ok);
    expect(accepted).toEqual([token.at(-1)]);
  });

  it("tell a forged token from a malformed one", () => {
    const other = createSignedTokens(randomBytes(32)).seal({ after: "p-a" });
    expect(tokens.open(other)).toEqual({ ok: false, problem: "forged" });
    for (const bad of ["", "abc", "a.b.c", "ab+c.de/f", `${"a".repeat(2_000)}.b`]) {
      expect(tokens.open(bad)).toEqual({ ok: false, problem: "malformed" });
    }
  });

  it("need a key of at least 16 bytes", () => {
    expect(() => createSignedTokens(Buffer.from("short"))).toThrow(RangeError);
  });
});
