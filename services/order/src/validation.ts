// Request field checks shared by the handlers; each adds violations named by proto field path.
// The address rules, character counting and page sizes are the shop's (@shopmesh/domain).
import type { Address } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import { addressViolations, characterCount, pageLimit, pageSizeProblem } from "@shopmesh/domain";
import type { Violations } from "@shopmesh/kit";

export const maxIdLength = 64;
export const maxReasonLength = 200;

export function checkRequestId(v: Violations, field: string, value: string): void {
  v.check(/^[A-Za-z0-9_-]{1,64}$/.test(value), field, "must be 1..64 characters of A-Z, a-z, 0-9, '-' and '_'");
}

export function checkOrderId(v: Violations, field: string, value: string): void {
  const length = characterCount(value);
  if (length === 0) v.add(field, "must not be empty");
  else if (length > maxIdLength) v.add(field, `must be at most ${maxIdLength} characters`);
}

export function checkReason(v: Violations, field: string, value: string): void {
  v.check(characterCount(value) <= maxReasonLength, field, `must be at most ${maxReasonLength} characters`);
}

/** The address rules every service applies, checked before an order is recorded. */
export function checkAddress(v: Violations, field: string, address: Address | undefined): void {
  for (const violation of addressViolations(address, field)) v.add(violation.field, violation.description);
}

/** The page size to use: 0 means the default, above the maximum means the maximum. */
export function pageSize(v: Violations, field: string, value: number): number {
  const problem = pageSizeProblem(value);
  if (problem !== undefined) v.add(field, problem);
  return pageLimit(value);
}
