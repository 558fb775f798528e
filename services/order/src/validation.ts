// Request field checks shared by the handlers; each adds violations named by proto field path.
import type { Violations } from "@shopmesh/kit";
import { codePoints } from "./address.js";

export const maxIdLength = 64;
export const maxReasonLength = 200;
export const defaultPageSize = 20;
export const maxPageSize = 100;

export function checkRequestId(v: Violations, field: string, value: string): void {
  v.check(/^[A-Za-z0-9_-]{1,64}$/.test(value), field, "must be 1..64 characters of A-Z, a-z, 0-9, '-' and '_'");
}

export function checkOrderId(v: Violations, field: string, value: string): void {
  const length = codePoints(value);
  if (length === 0) v.add(field, "must not be empty");
  else if (length > maxIdLength) v.add(field, `must be at most ${maxIdLength} characters`);
}

export function checkReason(v: Violations, field: string, value: string): void {
  v.check(codePoints(value) <= maxReasonLength, field, `must be at most ${maxReasonLength} characters`);
}

/** The page size to use: 0 means the default, above the maximum means the maximum. */
export function pageSize(v: Violations, field: string, value: number): number {
  if (!v.check(value >= 0, field, "must not be negative")) return defaultPageSize;
  if (value === 0) return defaultPageSize;
  return Math.min(value, maxPageSize);
}
