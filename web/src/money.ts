// Prices as people read them. google.type.Money keeps whole units and nanos apart; the shop's
// amounts are whole cents, so units + nanos / 1e9 is exact enough to display.
import { create } from "@bufbuild/protobuf";
import { MoneySchema, type Money } from "@shopmesh/gen/google/type/money_pb.js";

const formats = new Map<string, Intl.NumberFormat>();

function formatFor(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (format === undefined) {
    format = new Intl.NumberFormat("en-US", { style: "currency", currency });
    formats.set(currency, format);
  }
  return format;
}

/** "$12.50"; "—" when there is no amount. */
export function formatMoney(money: Money | undefined): string {
  if (money === undefined || money.currencyCode === "") return "—";
  return formatFor(money.currencyCode).format(Number(money.units) + money.nanos / 1e9);
}

/** a + b, in a's currency (the shop's amounts that are added up share one currency). */
export function addMoney(a: Money, b: Money): Money {
  const nanos = BigInt(a.nanos) + BigInt(b.nanos);
  const total = (a.units + b.units) * 1_000_000_000n + nanos;
  return create(MoneySchema, { currencyCode: a.currencyCode, units: total / 1_000_000_000n, nanos: Number(total % 1_000_000_000n) });
}
