// Amounts are whole cents in one currency inside the service and in the store; they become
// google.type.Money only at the edge. Cents are kept as a JS number, so amounts are bounded by
// Number.MAX_SAFE_INTEGER cents (about 90 trillion units), far above any order.
import { create } from "@bufbuild/protobuf";
import { MoneySchema, type Money } from "@shopmesh/gen/google/type/money_pb.js";

/** A positive amount in whole cents (hundredths of the currency unit). */
export interface Amount {
  /** ISO 4217 code, e.g. "USD". */
  readonly currencyCode: string;
  readonly cents: number;
}

/** A problem with one field of a Money, named by its proto field ("units", "nanos", …). */
export interface MoneyProblem {
  readonly field: "currency_code" | "units" | "nanos";
  readonly description: string;
}

const nanosPerCent = 10_000_000;
const maxNanos = 999_999_999;
const maxCents = BigInt(Number.MAX_SAFE_INTEGER);

// ICU's list of ISO 4217 codes in current use; rejects well-formed but unassigned codes ("ABC").
const currencyCodes: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));

/** Whether `code` is an ISO 4217 currency code in current use. */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && currencyCodes.has(code);
}

/**
 * The amount a Money holds if it is a chargeable one (a known currency, > 0, whole cents), else
 * the problems with its fields.
 */
export function chargeAmountFromMoney(money: Pick<Money, "currencyCode" | "units" | "nanos">): Amount | MoneyProblem[] {
  const problems: MoneyProblem[] = [];
  if (!isCurrencyCode(money.currencyCode)) {
    problems.push({ field: "currency_code", description: "must be an ISO 4217 currency code such as \"USD\"" });
  }
  const { units, nanos } = money;
  if (nanos < -maxNanos || nanos > maxNanos) {
    problems.push({ field: "nanos", description: `must be within -${maxNanos}..${maxNanos}` });
  } else if (units < 0n || (units === 0n && nanos <= 0)) {
    problems.push({ field: "units", description: "the amount must be greater than zero" });
  } else if (nanos < 0) {
    problems.push({ field: "nanos", description: "must not be negative when units is positive (they share a sign)" });
  } else if (nanos % nanosPerCent !== 0) {
    problems.push({ field: "nanos", description: "the amount must be a whole number of cents (nanos a multiple of 10000000)" });
  } else {
    const cents = units * 100n + BigInt(nanos / nanosPerCent);
    if (cents > maxCents) problems.push({ field: "units", description: `must be at most ${maxCents / 100n}` });
    if (problems.length === 0) return { currencyCode: money.currencyCode, cents: Number(cents) };
  }
  return problems;
}

export function moneyFromAmount(amount: Amount): Money {
  return create(MoneySchema, {
    currencyCode: amount.currencyCode,
    units: BigInt(Math.trunc(amount.cents / 100)),
    nanos: (amount.cents % 100) * nanosPerCent,
  });
}

export function sameAmount(a: Amount, b: Amount): boolean {
  return a.currencyCode === b.currencyCode && a.cents === b.cents;
}

/** "12.50 USD", for messages. */
export function formatAmount(amount: Amount): string {
  return `${Math.trunc(amount.cents / 100)}.${String(amount.cents % 100).padStart(2, "0")} ${amount.currencyCode}`;
}
