// ListOrders page tokens: bound to the user, signed, and opaque.
import { describe, expect, it } from "@jest/globals";
import { createPageTokens } from "../src/page-token.js";

const tokens = createPageTokens("a-secret-of-at-least-thirty-two-characters");
const position = { place: 42 };

describe("page tokens", () => {
  it("round-trips the position for the user it was issued to", () => {
    const token = tokens.issue("u-1", position);
    expect(tokens.read("u-1", token)).toEqual(position);
  });

  it("refuses a token issued to another user", () => {
    expect(tokens.read("u-2", tokens.issue("u-1", position))).toBeUndefined();
  });

  it("refuses tampered, truncated and made-up tokens", () => {
    const token = tokens.issue("u-1", position);
    const [payload, mac] = token.split(".") as [string, string];
    const edited = Buffer.from(JSON.stringify({ u: "u-1", p: 41 })).toString("base64url");
    expect(tokens.read("u-1", `${edited}.${mac}`)).toBeUndefined();
    expect(tokens.read("u-1", `${payload}.${mac.slice(1)}`)).toBeUndefined();
    expect(tokens.read("u-1", payload)).toBeUndefined();
    expect(tokens.read("u-1", "not a token")).toBeUndefined();
    expect(tokens.read("u-1", `${token}.x`)).toBeUndefined();
  });

  it("refuses tokens signed with another key (another deployment or a restart without a secret)", () => {
    const other = createPageTokens("another-secret-of-at-least-thirty-two-chars");
    expect(tokens.read("u-1", other.issue("u-1", position))).toBeUndefined();
  });
});
