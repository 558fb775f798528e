// Request checks as the contract states them; each adds field violations with proto field paths.
import type { Duration } from "@bufbuild/protobuf/wkt";
import { characterCount } from "@shopmesh/domain";
import type { Violations } from "@shopmesh/kit";
import { maxTtlMs, minTtlMs } from "./config.js";

const skuPattern = /^[A-Z0-9-]{3,32}$/;
export const maxOrderIdLength = 64;
export const maxLines = 50;
export const maxQuantity = 99;
export const maxAvailable = 1_000_000;

/** A line of a reservation request, as the handler passes it on. */
export interface RequestedLine {
  readonly sku: string;
  readonly quantity: number;
}

export function checkSku(v: Violations, field: string, sku: string): void {
  if (sku === "") v.add(field, "must not be empty");
  else v.check(skuPattern.test(sku), field, "must be 3..32 characters of A-Z, 0-9 and '-'");
}

export function checkOrderId(v: Violations, field: string, orderId: string): void {
  if (orderId === "") v.add(field, "must not be empty");
  else v.check(characterCount(orderId) <= maxOrderIdLength, field, `must be at most ${maxOrderIdLength} characters`);
}

export function checkAvailable(v: Violations, field: string, available: number): void {
  v.check(available >= 0 && available <= maxAvailable, field, `must be 0..${maxAvailable} (got ${available})`);
}

/** Checks the lines of ReserveStock: 1..50 of them, distinct SKUs, each SKU and quantity valid. */
export function checkLines(v: Violations, lines: readonly RequestedLine[]): void {
  if (lines.length === 0) v.add("lines", "must have at least one line");
  if (lines.length > maxLines) v.add("lines", `must have at most ${maxLines} lines (got ${lines.length})`);
  const firstIndex = new Map<string, number>();
  lines.forEach((line, i) => {
    checkSku(v, `lines[${i}].sku`, line.sku);
    v.check(line.quantity >= 1 && line.quantity <= maxQuantity, `lines[${i}].quantity`, `must be 1..${maxQuantity} (got ${line.quantity})`);
    const first = firstIndex.get(line.sku);
    if (first === undefined) firstIndex.set(line.sku, i);
    else if (line.sku !== "") v.add("lines", `must not repeat a SKU: ${line.sku} is in lines[${first}] and lines[${i}]`);
  });
}

/**
 * The hold time in milliseconds: `defaultMs` when `ttl` is unset, else the ttl rounded up to a
 * whole millisecond; adds a violation on "ttl" when it is not a valid Duration within 1 s..1 h.
 */
export function ttlMillis(v: Violations, ttl: Duration | undefined, defaultMs: number): number {
  if (ttl === undefined) return defaultMs;
  const { seconds, nanos } = ttl;
  const wellFormed = nanos >= -999_999_999 && nanos <= 999_999_999 && !((seconds > 0n && nanos < 0) || (seconds < 0n && nanos > 0));
  if (!wellFormed) {
    v.add("ttl", "must be a valid duration (nanos within ±999,999,999 with the sign of seconds)");
    return defaultMs;
  }
  const totalNanos = seconds * 1_000_000_000n + BigInt(nanos);
  const minNanos = BigInt(minTtlMs) * 1_000_000n;
  const maxNanos = BigInt(maxTtlMs) * 1_000_000n;
  if (totalNanos < minNanos || totalNanos > maxNanos) {
    v.add("ttl", `must be between 1s and 1h inclusive (got ${formatSeconds(totalNanos)})`);
    return defaultMs;
  }
  return Number((totalNanos + 999_999n) / 1_000_000n);
}

function formatSeconds(nanos: bigint): string {
  const sign = nanos < 0n ? "-" : "";
  const abs = nanos < 0n ? -nanos : nanos;
  const fraction = (abs % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${sign}${abs / 1_000_000_000n}${fraction === "" ? "" : `.${fraction}`}s`;
}
