// Page tokens as plain functions: bound to a user, signed, and checked without trusting input.
import { describe, expect, it } from "@jest/globals";
import { createPageTokens } from "../src/page-token.js";
import { isStreamId } from "../src/store/stream-id.js";

const tokens = createPageTokens(Buffer.from("k".repeat(32)), isStreamId);

describe("page tokens", () => {
  it("give back the cursor to the user they were issued to", () => {
    const token = tokens.issue("u-1", "1700000000000-3");
    expect(tokens.read(token, "u-1")).toEqual({ ok: true, cursor: "1700000000000-3" });
  });

  it("are refused to another user", () => {
    const token = tokens.issue("u-1", "1700000000000-3");
    expect(tokens.read(token, "u-2")).toEqual({ ok: false, problem: "was issued to another user" });
  });

  it("are refused when signed with another key or changed", () => {
    const other = createPageTokens(Buffer.from("o".repeat(32)), isStreamId).issue("u-1", "1-0");
    expect(tokens.read(other, "u-1")).toMatchObject({ ok: false, problem: expect.stringMatching(/not issued/) });
    const [, signature] = tokens.issue("u-1", "1-0").split(".");
    const forged = `${Buffer.from(JSON.stringify({ u: "u-1", c: "9-0" })).toString("base64url")}.${signature}`;
    expect(tokens.read(forged, "u-1")).toMatchObject({ ok: false, problem: expect.stringMatching(/not issued/) });
  });

  it.each(["", "abc", "a.b.c", "!!.??", "a.", ".b"])("call %j malformed", (token) => {
    expect(tokens.read(token, "u-1")).toMatchObject({ ok: false, problem: expect.stringMatching(/malformed/) });
  });

  it("call a signed payload malformed when it holds no usable cursor", () => {
    const broken = createPageTokens(Buffer.from("k".repeat(32)), () => true).issue("u-1", "not-a-cursor");
    expect(tokens.read(broken, "u-1")).toMatchObject({ ok: false, problem: expect.stringMatching(/malformed/) });
  });
});
