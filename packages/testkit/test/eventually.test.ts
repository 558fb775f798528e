// eventually: what it resolves with, what counts as "not yet", and what a timeout reports.
import { describe, expect, it } from "@jest/globals";
import { eventually } from "../src/eventually.js";

const fast = { timeoutMs: 200, intervalMs: 5 };

describe("eventually", () => {
  it("resolves with the first truthy value, looking again after falsy values and throws", async () => {
    let looks = 0;
    const value = await eventually(() => {
      looks++;
      if (looks === 1) throw new Error("not ready");
      return looks === 2 ? undefined : { looks };
    }, fast);
    expect(value).toEqual({ looks: 3 });
  });

  it("rejects on timeout with the error the last look threw, as it is", async () => {
    const last = new Error("expected 3, got 2");
    await expect(eventually(() => Promise.reject(last), fast)).rejects.toBe(last);
  });

  it("prefixes that error with what was awaited, when told", async () => {
    await expect(eventually(() => Promise.reject(new Error("got 2")), { ...fast, what: "three rows" })).rejects.toThrow(
      "three rows not met within 200 ms: got 2",
    );
  });

  it("says what was not met when the last look was falsy, and why a check returning nothing never holds", async () => {
    await expect(eventually(() => false, { ...fast, what: "the order CONFIRMED" })).rejects.toThrow(
      "the order CONFIRMED not met within 200 ms",
    );
    await expect(eventually(() => undefined, fast)).rejects.toThrow("the check returned undefined; return a truthy value once it holds");
  });

  it("looks once with a timeout of 0", async () => {
    let looks = 0;
    await expect(eventually(() => ++looks > 1, { timeoutMs: 0 })).rejects.toThrow("not met within 0 ms");
    expect(looks).toBe(1);
  });
});
