// What payment accepts as an amount to charge: a positive amount of whole minor units of an ISO
// 4217 currency (the shop's money rules, @shopmesh/domain), small enough that the store, which
// keeps minor units as a JS number, holds it exactly (up to 2^53 − 1 minor units).
import { checkMoney, safeMinor, type Amount, type FieldViolation, type MoneyFields } from "@shopmesh/domain";

/** The amount to charge of a request's `field`, or its violations. */
export function checkChargeAmount(money: MoneyFields | undefined, field: string): Amount | FieldViolation[] {
  const amount = checkMoney(money, field, "positive");
  if (Array.isArray(amount) || safeMinor(amount) !== undefined) return amount;
  return [{ field: `${field}.units`, description: `must make the amount at most ${Number.MAX_SAFE_INTEGER} minor units` }];
}
