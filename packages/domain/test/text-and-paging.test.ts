// Character counting and page sizes, as every contract states them.
import { describe, expect, it } from "@jest/globals";
import { defaultPageSize, maxPageSize, pageLimit, pageSizeProblem } from "../src/paging.js";
import { characterCount } from "../src/text.js";

describe("characterCount", () => {
  it("counts code points, not UTF-16 units", () => {
    expect(characterCount("")).toBe(0);
    expect(characterCount("abc")).toBe(3);
    expect(characterCount("😀é")).toBe(2);
    expect("😀".length).toBe(2);
    expect(characterCount("😀".repeat(100))).toBe(100);
  });
});

describe("page sizes", () => {
  it("default 0, cap at the maximum, refuse negatives", () => {
    expect([defaultPageSize, maxPageSize]).toEqual([20, 100]);
    expect([0, 1, 20, 100, 101, 5_000].map(pageLimit)).toEqual([20, 1, 20, 100, 100, 100]);
    expect(pageSizeProblem(-1)).toBe("must not be negative");
    expect([0, 1, 500].map(pageSizeProblem)).toEqual([undefined, undefined, undefined]);
  });
});
