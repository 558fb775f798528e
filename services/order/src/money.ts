// Money as the order stores it: whole cents (hundredths of the currency unit) in a safe integer,
// with the currency code beside it. google.type.Money is only what travels on the wire.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Money, MoneySchema } from "@shopmesh/gen/google/type/money_pb.js";

const nanosPerCent = 10_000_000;

/** A non-negative amount in whole cents of `currency`. */
export interface Amount {
  readonly currency: string;
  readonly cents: number;
}

/**
 * The whole, non-negative cents of `money`, or a description of why it cannot be one: a missing
 * or malformed currency, mixed signs, fractions of a cent, or a value beyond a safe integer.
 */
export function amountFromMoney(money: Money | undefined): Amount | string {
  if (money === undefined) return "amount is missing";
  if (!/^[A-Z]{3}$/.test(money.currencyCode)) return `currency code ${JSON.stringify(money.currencyCode)} is not ISO 4217`;
  if (money.units < 0n || money.nanos < 0) return "amount is negative";
  if (money.nanos > 999_999_999 || money.nanos % nanosPerCent !== 0) return "amount is not whole cents";
  const cents = money.units * 100n + BigInt(money.nanos / nanosPerCent);
  if (cents > BigInt(Number.MAX_SAFE_INTEGER)) return "amount is too large";
  return { currency: money.currencyCode, cents: Number(cents) };
}

export function moneyFromAmount(amount: Amount): MessageInitShape<typeof MoneySchema> {
  return {
    currencyCode: amount.currency,
    units: BigInt(Math.trunc(amount.cents / 100)),
    nanos: (amount.cents % 100) * nanosPerCent,
  };
}

/** `unitCents` times `quantity`; throws beyond a safe integer (never for real prices). */
export function multiplyCents(unitCents: number, quantity: number): number {
  return checkedCents(unitCents * quantity);
}

/** The sum of `cents`; throws beyond a safe integer. */
export function sumCents(cents: readonly number[]): number {
  return checkedCents(cents.reduce((sum, c) => sum + c, 0));
}

function checkedCents(cents: number): number {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`amount of ${cents} cents is out of range`);
  return cents;
}

/** "USD 12.50", for notification texts. */
export function formatAmount(amount: Amount): string {
  const whole = Math.trunc(amount.cents / 100);
  const cents = String(amount.cents % 100).padStart(2, "0");
  return `${amount.currency} ${whole}.${cents}`;
}
