// The request checks as plain functions: which field path each bad value is reported on.
import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { fieldViolations, Violations } from "@shopmesh/kit";
import { checkAvailable, checkLines, checkOrderId, checkSku, ttlMillis } from "../src/validation.js";

function fields(fill: (v: Violations) => void): string[] {
  const v = new Violations();
  fill(v);
  return v.empty ? [] : fieldViolations(v.error()).map((f) => f.field);
}

const duration = (seconds: bigint, nanos = 0) => create(DurationSchema, { seconds, nanos });

describe("checkSku", () => {
  it.each(["ABC", "MUG-001", "A".repeat(32), "0-9"])("accepts %s", (sku) => {
    expect(fields((v) => checkSku(v, "sku", sku))).toEqual([]);
  });
  it.each(["", "AB", "A".repeat(33), "mug-001", "MUG 001", "MUG_001", "ÄBC"])("rejects %j", (sku) => {
    expect(fields((v) => checkSku(v, "sku", sku))).toEqual(["sku"]);
  });
});

describe("checkOrderId", () => {
  it("accepts 1..64 characters, counted in code points", () => {
    expect(fields((v) => checkOrderId(v, "order_id", "o"))).toEqual([]);
    expect(fields((v) => checkOrderId(v, "order_id", "😀".repeat(64)))).toEqual([]);
  });
  it("rejects empty and 65 characters", () => {
    expect(fields((v) => checkOrderId(v, "order_id", ""))).toEqual(["order_id"]);
    expect(fields((v) => checkOrderId(v, "order_id", "x".repeat(65)))).toEqual(["order_id"]);
  });
});

describe("checkAvailable", () => {
  it("accepts 0..1,000,000 only", () => {
    expect(fields((v) => checkAvailable(v, "available", 0))).toEqual([]);
    expect(fields((v) => checkAvailable(v, "available", 1_000_000))).toEqual([]);
    expect(fields((v) => checkAvailable(v, "available", -1))).toEqual(["available"]);
    expect(fields((v) => checkAvailable(v, "available", 1_000_001))).toEqual(["available"]);
  });
});

describe("checkLines", () => {
  const line = (sku: string, quantity = 1) => ({ sku, quantity });

  it("accepts 1..50 distinct lines with quantities 1..99", () => {
    expect(fields((v) => checkLines(v, [line("AAA", 1), line("BBB", 99)]))).toEqual([]);
    expect(
      fields((v) =>
        checkLines(
          v,
          Array.from({ length: 50 }, (_, i) => line(`SKU-${i}`)),
        ),
      ),
    ).toEqual([]);
  });

  it("reports each bad line by its index", () => {
    expect(fields((v) => checkLines(v, [line("AAA"), line("BBB", 0), line("bad"), line("CCC", 100)]))).toEqual([
      "lines[1].quantity",
      "lines[2].sku",
      "lines[3].quantity",
    ]);
  });

  it("rejects no lines, more than 50 and a repeated SKU on `lines`", () => {
    expect(fields((v) => checkLines(v, []))).toEqual(["lines"]);
    expect(
      fields((v) =>
        checkLines(
          v,
          Array.from({ length: 51 }, (_, i) => line(`SKU-${i}`)),
        ),
      ),
    ).toEqual(["lines"]);
    const v = new Violations();
    checkLines(v, [line("AAA"), line("BBB"), line("AAA", 2)]);
    expect(fieldViolations(v.error())).toMatchObject([
      { field: "lines", description: expect.stringContaining("AAA is in lines[0] and lines[2]") },
    ]);
  });
});

describe("ttlMillis", () => {
  const defaultMs = 900_000;
  const ttl = (d: ReturnType<typeof duration> | undefined) => {
    const v = new Violations();
    const ms = ttlMillis(v, d, defaultMs);
    return { ms, fields: v.empty ? [] : fieldViolations(v.error()).map((f) => f.field) };
  };

  it("uses the default when unset", () => {
    expect(ttl(undefined)).toEqual({ ms: defaultMs, fields: [] });
  });

  it("accepts exactly 1 s and exactly 1 h, rounding sub-milliseconds up", () => {
    expect(ttl(duration(1n))).toEqual({ ms: 1_000, fields: [] });
    expect(ttl(duration(3_600n))).toEqual({ ms: 3_600_000, fields: [] });
    expect(ttl(duration(1n, 500_001))).toEqual({ ms: 1_001, fields: [] });
  });

  it.each([
    ["zero", duration(0n)],
    ["just under 1 s", duration(0n, 999_999_999)],
    ["just over 1 h", duration(3_600n, 1)],
    ["negative", duration(-5n)],
    ["nanos out of range", duration(2n, 1_000_000_000)],
    ["mixed signs", duration(2n, -1)],
  ])("rejects %s on ttl", (_, d) => {
    expect(ttl(d).fields).toEqual(["ttl"]);
  });
});
