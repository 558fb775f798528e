// The catalog's decision about prices: any amount >= 0 of whole minor units of an ISO 4217
// currency (the shop's money rules, @shopmesh/domain), with units no larger than its documents,
// which keep units and nanos as JS numbers, hold exactly.
import type { Money } from "@shopmesh/gen/google/type/money_pb.js";
import { checkMoney, type Amount } from "@shopmesh/domain";
import type { Violations } from "@shopmesh/kit";

/**
 * Checks `money` as a catalog price and adds a violation under `field` ("product.price") for
 * each problem. Returns the price when it is valid.
 */
export function validatePrice(money: Money | undefined, field: string, violations: Violations): Amount | undefined {
  const price = checkMoney(money, field, "non-negative");
  const problems = Array.isArray(price) ? price : [];
  if (money !== undefined && money.units > BigInt(Number.MAX_SAFE_INTEGER)) {
    problems.push({ field: `${field}.units`, description: `must be at most ${Number.MAX_SAFE_INTEGER}` });
  }
  for (const problem of problems) violations.add(problem.field, problem.description);
  return Array.isArray(price) || problems.length > 0 ? undefined : price;
}

/** A USD price from a whole number of cents (1250 → 12.50 USD). */
export function usdFromCents(cents: number): Amount {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`not a price in cents: ${cents}`);
  return { currencyCode: "USD", minor: BigInt(cents) };
}
