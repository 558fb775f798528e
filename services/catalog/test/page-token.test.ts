import { describe, expect, it } from "@jest/globals";
import { randomBytes } from "node:crypto";
import { createPageTokens, type PageScope } from "../src/page-token.js";

const kitchen: PageScope = { rpc: "list", filter: "kitchen" };

describe("page tokens", () => {
  const tokens = createPageTokens(randomBytes(32));

  it("round-trips the cursor for the scope it was issued for", () => {
    const token = tokens.issue(kitchen, "p-mug-blue-350");
    expect(tokens.read(token, kitchen)).toEqual({ ok: true, afterId: "p-mug-blue-350" });
  });

  it("is opaque text that is safe in a URL", () => {
    expect(tokens.issue({ rpc: "search", filter: "tea & (mugs)/ü" }, "p-1")).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it("rejects a token whose cursor was altered, even when it is well-formed", () => {
    const token = tokens.issue(kitchen, "p-a");
    const [payload, signature] = token.split(".") as [string, string];
    const cursor = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...cursor, after: "p-z" })).toString("base64url");
    expect(tokens.read(`${forged}.${signature}`, kitchen)).toEqual({ ok: false, reason: "malformed" });
  });

  it("rejects a token with a flipped signature character", () => {
    const token = tokens.issue(kitchen, "p-a");
    const last = token.at(-1) === "A" ? "B" : "A";
    expect(tokens.read(token.slice(0, -1) + last, kitchen)).toEqual({ ok: false, reason: "malformed" });
  });

  it.each([
    ["garbage", "not-a-token"],
    ["no signature", "eyJ2IjoxfQ"],
    ["an empty signature", "eyJ2IjoxfQ."],
    ["three parts", "a.b.c"],
    ["non-base64url characters", "ab+c.de/f"],
    ["a very long token", `${"a".repeat(2_000)}.b`],
  ])("rejects %s", (_, token) => {
    expect(tokens.read(token, kitchen)).toEqual({ ok: false, reason: "malformed" });
  });

  it("rejects a token signed with another key (another process without PAGE_TOKEN_SECRET)", () => {
    const other = createPageTokens(randomBytes(32));
    expect(tokens.read(other.issue(kitchen, "p-a"), kitchen)).toEqual({ ok: false, reason: "malformed" });
  });

  it("accepts a token from another instance with the same key (a shared PAGE_TOKEN_SECRET)", () => {
    const key = Buffer.from("a shared secret of at least 32 characters", "utf8");
    expect(createPageTokens(key).read(createPageTokens(key).issue(kitchen, "p-a"), kitchen)).toEqual({ ok: true, afterId: "p-a" });
  });

  it("tells a token issued for another category, query or RPC apart from a forged one", () => {
    const token = tokens.issue(kitchen, "p-a");
    expect(tokens.read(token, { rpc: "list", filter: "books" })).toEqual({ ok: false, reason: "other-scope" });
    expect(tokens.read(token, { rpc: "list", filter: "" })).toEqual({ ok: false, reason: "other-scope" });
    expect(tokens.read(token, { rpc: "search", filter: "kitchen" })).toEqual({ ok: false, reason: "other-scope" });
  });

  it("refuses a key too short to sign with", () => {
    expect(() => createPageTokens(Buffer.from("short"))).toThrow(RangeError);
  });
});
