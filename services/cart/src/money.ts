// Amounts are kept as integers of the currency's minor unit (cents for USD, yen for JPY, fils
// for BHD) in the store and in arithmetic, and become google.type.Money only at the edge.
// BigInt keeps line totals and subtotals exact whatever the price.
import { create } from "@bufbuild/protobuf";
import { MoneySchema, type Money } from "@shopmesh/gen/google/type/money_pb.js";

/** A non-negative price or amount in one currency. */
export interface Amount {
  /** ISO 4217 code, e.g. "USD". */
  readonly currencyCode: string;
  /** Whole minor units: 1250 is 12.50 USD. */
  readonly minor: bigint;
}

const currencyPattern = /^[A-Z]{3}$/;
const digitsByCurrency = new Map<string, number>();

/** Digits of the currency's minor unit, as ISO 4217 (via CLDR) has them: 2 for USD, 0 for JPY, 3 for BHD. */
export function minorUnitDigits(currencyCode: string): number {
  let digits = digitsByCurrency.get(currencyCode);
  if (digits === undefined) {
    digits = Math.min(9, new Intl.NumberFormat("en", { style: "currency", currency: currencyCode }).resolvedOptions().maximumFractionDigits ?? 2);
    digitsByCurrency.set(currencyCode, digits);
  }
  return digits;
}

/** Nanos in one minor unit: 10,000,000 for USD. */
function nanosPerMinor(currencyCode: string): number {
  return 10 ** (9 - minorUnitDigits(currencyCode));
}

function minorPerUnit(currencyCode: string): bigint {
  return 10n ** BigInt(minorUnitDigits(currencyCode));
}

/**
 * The amount a Money holds, or why it is not a usable price: a malformed currency code, a
 * negative amount, or a fraction of the currency's minor unit.
 */
export function amountFromMoney(money: Pick<Money, "currencyCode" | "units" | "nanos">): Amount | string {
  const { currencyCode, units, nanos } = money;
  if (!currencyPattern.test(currencyCode)) return `currency_code ${JSON.stringify(currencyCode)} is not an ISO 4217 code`;
  if (units < 0n || nanos < 0) return "amount is negative";
  if (nanos > 999_999_999) return "nanos is out of range";
  const step = nanosPerMinor(currencyCode);
  if (nanos % step !== 0) return `amount is not a whole number of ${currencyCode} minor units`;
  return { currencyCode, minor: units * minorPerUnit(currencyCode) + BigInt(nanos / step) };
}

export function moneyFromAmount(amount: Amount): Money {
  const perUnit = minorPerUnit(amount.currencyCode);
  return create(MoneySchema, {
    currencyCode: amount.currencyCode,
    units: amount.minor / perUnit,
    nanos: Number(amount.minor % perUnit) * nanosPerMinor(amount.currencyCode),
  });
}

/** `unit` times `quantity`. */
export function multiply(unit: Amount, quantity: number): Amount {
  return { currencyCode: unit.currencyCode, minor: unit.minor * BigInt(quantity) };
}
