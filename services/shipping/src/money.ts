// Shipping's own decision about money: it quotes and charges in US dollars, its rate table in
// whole cents. The arithmetic and the Money mapping are @shopmesh/domain's.
import type { Money } from "@shopmesh/gen/google/type/money_pb.js";
import { moneyFromAmount } from "@shopmesh/domain";

export const currencyCode = "USD";

/** Money for `cents` (a whole, non-negative number): 1234 → { "USD", units 12, nanos 340,000,000 }. */
export function usdFromCents(cents: number): Money {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`not a whole, non-negative number of cents: ${cents}`);
  return moneyFromAmount({ currencyCode, minor: BigInt(cents) });
}
