// Prices: google.type.Money on the wire, plain numbers in the store. The currency list and the
// minor-unit digits come from the runtime's ICU data (Intl), which tracks ISO 4217 and CLDR.
import { create } from "@bufbuild/protobuf";
import { MoneySchema, type Money } from "@shopmesh/gen/google/type/money_pb.js";
import type { Violations } from "@shopmesh/kit";

/** A validated, non-negative price as stored: whole units and nanos, both safe integers. */
export interface Price {
  readonly currencyCode: string;
  readonly units: number;
  readonly nanos: number;
}

const currencies: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));

/** True for an ISO 4217 code in current use ("USD"); not for "usd", "XXX" or withdrawn codes. */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && currencies.has(code);
}

/** How many digits the currency's minor unit has: 2 for USD (cents), 0 for JPY, 3 for BHD. */
export function minorUnitDigits(currencyCode: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency: currencyCode }).resolvedOptions()
    .maximumFractionDigits ?? 2;
}

/**
 * Checks `money` as a catalog price (present, valid currency, >= 0, whole minor units) and adds a
 * violation under `field` ("product.price") for each problem. Returns the price when it is valid.
 */
export function validatePrice(money: Money | undefined, field: string, violations: Violations): Price | undefined {
  if (money === undefined) {
    violations.add(field, "is required");
    return undefined;
  }
  let valid = true;
  const check = (ok: boolean, path: string, description: string): boolean => {
    if (!violations.check(ok, path, description)) valid = false;
    return ok;
  };
  const currencyOk = check(
    isCurrencyCode(money.currencyCode),
    `${field}.currency_code`,
    money.currencyCode === "" ? "is required" : `must be an ISO 4217 currency code such as USD (got "${money.currencyCode}")`,
  );
  if (check(money.units >= 0n, `${field}.units`, "must not be negative (prices are >= 0)")) {
    check(money.units <= BigInt(Number.MAX_SAFE_INTEGER), `${field}.units`, `must be at most ${Number.MAX_SAFE_INTEGER}`);
  }
  if (check(money.nanos >= 0 && money.nanos <= 999_999_999, `${field}.nanos`, "must be 0..999999999 (prices are >= 0)")) {
    if (currencyOk) {
      const step = 10 ** (9 - Math.min(9, minorUnitDigits(money.currencyCode)));
      check(money.nanos % step === 0, `${field}.nanos`, `must be whole minor units of ${money.currencyCode} (a multiple of ${step})`);
    }
  }
  return valid ? { currencyCode: money.currencyCode, units: Number(money.units), nanos: money.nanos } : undefined;
}

/** The Money message for a stored price. */
export function moneyFromPrice(price: Price): Money {
  return create(MoneySchema, { currencyCode: price.currencyCode, units: BigInt(price.units), nanos: price.nanos });
}

/** A USD price from a whole number of cents (1250 → 12.50 USD). */
export function usdFromCents(cents: number): Price {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`not a price in cents: ${cents}`);
  return { currencyCode: "USD", units: Math.floor(cents / 100), nanos: (cents % 100) * 10_000_000 };
}
