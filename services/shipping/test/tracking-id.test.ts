import { describe, expect, it } from "@jest/globals";
import { newTrackingId, trackingIdPattern } from "../src/tracking-id.js";

describe("newTrackingId", () => {
  it('is "SM" and 10 characters of A-Z and 0-9', () => {
    for (let i = 0; i < 200; i++) expect(newTrackingId()).toMatch(trackingIdPattern);
    expect(trackingIdPattern.test("SM12345ABCDE")).toBe(true);
    expect(trackingIdPattern.test("SM12345abcde")).toBe(false);
    expect(trackingIdPattern.test("SM12345ABCD")).toBe(false);
  });

  it("uses the whole alphabet, from the random source it is given", () => {
    expect(newTrackingId(() => 0)).toBe("SMAAAAAAAAAA");
    expect(newTrackingId((size) => size - 1)).toBe("SM9999999999");
    let n = 0;
    expect(newTrackingId(() => 25 + n++)).toBe("SMZ012345678");
  });

  it("does not repeat itself", () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newTrackingId()));
    expect(ids.size).toBe(10_000);
  });
});
