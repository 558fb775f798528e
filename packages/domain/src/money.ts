// Money: google.type.Money on the wire, an Amount (a currency and a bigint count of its minor
// unit) everywhere else: in arithmetic, in stores, in comparisons.
//
// Why minor units rather than units+nanos arithmetic: every amount the contracts accept is a
// whole number of the currency's minor unit (cents for USD, yen for JPY, fils for BHD), so an
// integer of minor units holds each one exactly, and sums and products are plain integer
// arithmetic with no carry between units and nanos and no sign rule to keep. BigInt keeps
// that exact beyond 2^53. The digits of each minor unit are ISO 4217's as the runtime's ICU
// data (Intl, which tracks ISO 4217 through CLDR) has them; an amount that is not whole minor
// units of its currency is refused where it enters, never rounded.
import { create } from "@bufbuild/protobuf";
import { MoneySchema, type Money } from "@shopmesh/gen/google/type/money_pb.js";
import type { FieldViolation } from "./field-violation.js";

/** An amount in one currency. */
export interface Amount {
  /** ISO 4217 code, e.g. "USD". */
  readonly currencyCode: string;
  /** Whole minor units: 1250n is 12.50 USD, 1005n is 1.005 BHD, 1250n is 1250 JPY. */
  readonly minor: bigint;
}

/** The fields of google.type.Money an amount is read from. */
export type MoneyFields = Pick<Money, "currencyCode" | "units" | "nanos">;

/** Which amounts a use accepts: prices and costs may be zero, a charge must be more. */
export type AmountSign = "non-negative" | "positive";

/** A problem with one field of a Money, named by its proto field. */
export interface MoneyProblem {
  readonly field: "currency_code" | "units" | "nanos";
  readonly description: string;
}

const maxNanos = 999_999_999;

// ICU's list of ISO 4217 codes in current use; rejects well-formed but unassigned codes ("ABC").
const currencyCodes: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));
const digitsByCurrency = new Map<string, number>();

/** True for an ISO 4217 code in current use ("USD"); not for "usd", "XXX", "ABC" or withdrawn codes. */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && currencyCodes.has(code);
}

/** Digits of the currency's minor unit, as ISO 4217 (via CLDR) has them: 2 for USD, 0 for JPY, 3 for BHD. */
export function minorUnitDigits(currencyCode: string): number {
  let digits = digitsByCurrency.get(currencyCode);
  if (digits === undefined) {
    const options = new Intl.NumberFormat("en", { style: "currency", currency: currencyCode }).resolvedOptions();
    digits = Math.min(9, options.maximumFractionDigits ?? 2);
    digitsByCurrency.set(currencyCode, digits);
  }
  return digits;
}

/** Nanos in one minor unit: 10,000,000 for USD, 1,000,000 for BHD, 10^9 for JPY. */
function nanosPerMinor(currencyCode: string): number {
  return 10 ** (9 - minorUnitDigits(currencyCode));
}

function minorPerUnit(currencyCode: string): bigint {
  return 10n ** BigInt(minorUnitDigits(currencyCode));
}

/**
 * What is wrong with `money` as an amount of `sign`, one problem per field at most, in field
 * order; empty when it is a usable amount. The rules are google.type.Money's (nanos within
 * ±999,999,999 and of the sign of units), ISO 4217's (a currency in use, whole minor units) and
 * the sign the use asks for.
 */
export function moneyProblems(money: MoneyFields, sign: AmountSign): MoneyProblem[] {
  const problems: MoneyProblem[] = [];
  const { currencyCode, units, nanos } = money;
  const currencyOk = isCurrencyCode(currencyCode);
  if (currencyCode === "") problems.push({ field: "currency_code", description: 'is required (an ISO 4217 code, e.g. "USD")' });
  else if (!currencyOk) {
    problems.push({ field: "currency_code", description: `must be an ISO 4217 currency code such as "USD" (got "${currencyCode}")` });
  }
  if (!Number.isInteger(nanos) || nanos < -maxNanos || nanos > maxNanos) {
    problems.push({ field: "nanos", description: `must be within -${maxNanos}..${maxNanos}` });
    return problems;
  }
  let signOk = true;
  const wrongSign = (field: MoneyProblem["field"], description: string): void => {
    problems.push({ field, description });
    signOk = false;
  };
  if (sign === "positive") {
    if (units < 0n || (units === 0n && nanos <= 0)) wrongSign("units", "must make the amount greater than zero");
    else if (nanos < 0) wrongSign("nanos", "must not be negative when units is positive (they share a sign)");
  } else {
    if (units < 0n) wrongSign("units", "must not be negative");
    if (nanos < 0) wrongSign("nanos", "must not be negative");
  }
  if (signOk && currencyOk && nanos % nanosPerMinor(currencyCode) !== 0) {
    const step = nanosPerMinor(currencyCode);
    problems.push({ field: "nanos", description: `must be whole minor units of ${currencyCode} (a multiple of ${step})` });
  }
  return problems;
}

/** The amount `money` holds if it is a usable amount of `sign`, else the problems with its fields. */
export function amountFromMoney(money: MoneyFields, sign: AmountSign = "non-negative"): Amount | MoneyProblem[] {
  const problems = moneyProblems(money, sign);
  if (problems.length > 0) return problems;
  const { currencyCode, units, nanos } = money;
  return { currencyCode, minor: units * minorPerUnit(currencyCode) + BigInt(nanos / nanosPerMinor(currencyCode)) };
}

/**
 * The amount of a request's Money field, or its violations under `field` ("product.price",
 * "amount"): "is required" when it is missing, else one per bad Money field.
 */
export function checkMoney(money: MoneyFields | undefined, field: string, sign: AmountSign): Amount | FieldViolation[] {
  if (money === undefined) return [{ field, description: "is required" }];
  const amount = amountFromMoney(money, sign);
  if (!Array.isArray(amount)) return amount;
  return amount.map((p) => ({ field: `${field}.${p.field}`, description: p.description }));
}

/** The problems of `amountFromMoney` as one sentence, for logs and internal errors. */
export function describeMoneyProblems(problems: readonly MoneyProblem[]): string {
  return problems.map((p) => `${p.field} ${p.description}`).join("; ");
}

export function moneyFromAmount(amount: Amount): Money {
  const perUnit = minorPerUnit(amount.currencyCode);
  return create(MoneySchema, {
    currencyCode: amount.currencyCode,
    units: amount.minor / perUnit,
    // BigInt division truncates toward zero, so units and nanos share the amount's sign.
    nanos: Number(amount.minor % perUnit) * nanosPerMinor(amount.currencyCode),
  });
}

/** Nothing, in `currencyCode`. */
export function zero(currencyCode: string): Amount {
  return { currencyCode, minor: 0n };
}

/** `a` plus `b`; throws when their currencies differ (adding them is a bug, not a user's mistake). */
export function add(a: Amount, b: Amount): Amount {
  sameCurrency(a, b);
  return { currencyCode: a.currencyCode, minor: a.minor + b.minor };
}

/** The sum of `amounts`, all in `currencyCode`. */
export function sum(currencyCode: string, amounts: readonly Amount[]): Amount {
  return amounts.reduce(add, zero(currencyCode));
}

/** `unit` times `quantity` (a whole number). */
export function multiply(unit: Amount, quantity: number): Amount {
  if (!Number.isSafeInteger(quantity)) throw new RangeError(`not a whole quantity: ${quantity}`);
  return { currencyCode: unit.currencyCode, minor: unit.minor * BigInt(quantity) };
}

export function sameAmount(a: Amount, b: Amount): boolean {
  return a.currencyCode === b.currencyCode && a.minor === b.minor;
}

/** Negative, zero or positive as `a` is less than, equal to or more than `b` (same currency). */
export function compare(a: Amount, b: Amount): number {
  sameCurrency(a, b);
  return a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0;
}

function sameCurrency(a: Amount, b: Amount): void {
  if (a.currencyCode !== b.currencyCode) throw new RangeError(`amounts in ${a.currencyCode} and ${b.currencyCode} do not add up`);
}

/** "USD 12.50", "JPY 1250", "BHD 1.005": the code, then the amount with the currency's digits. */
export function formatAmount(amount: Amount): string {
  const digits = minorUnitDigits(amount.currencyCode);
  const negative = amount.minor < 0n;
  const magnitude = (negative ? -amount.minor : amount.minor).toString().padStart(digits + 1, "0");
  const whole = magnitude.slice(0, magnitude.length - digits);
  const fraction = digits === 0 ? "" : `.${magnitude.slice(magnitude.length - digits)}`;
  return `${amount.currencyCode} ${negative ? "-" : ""}${whole}${fraction}`;
}

/** `minor` as a JS number when it is a safe integer (for stores that keep numbers), else undefined. */
export function safeMinor(amount: Amount): number | undefined {
  const n = Number(amount.minor);
  return Number.isSafeInteger(n) && BigInt(n) === amount.minor ? n : undefined;
}
