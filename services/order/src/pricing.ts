// What an order costs: the catalog's price now of each cart line times its quantity, plus the
// shipping quote, all in one currency. Pure: placement fetches the products and the quote, this
// decides the amounts, or why the cart cannot be ordered as it is (FAILED_PRECONDITION CURRENCY).
import type { Money } from "@shopmesh/gen/google/type/money_pb.js";
import type { Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { add, amountFromMoney, describeMoneyProblems, formatAmount, multiply, safeMinor, sum, type Amount } from "@shopmesh/domain";
import { preconditionFailed } from "./errors.js";
import type { OrderLineRecord } from "./order.js";

/** A cart line with the product as the catalog has it now. */
export interface CartItem {
  readonly product: Product;
  readonly quantity: number;
}

/** The lines of an order, priced, and their subtotal. */
export interface PricedLines {
  readonly currency: string;
  readonly lines: readonly OrderLineRecord[];
  readonly subtotal: Amount;
}

/** Every amount of an order, as the order keeps them (minor units of `currency`). */
export interface PricedOrder {
  readonly currency: string;
  readonly lines: readonly OrderLineRecord[];
  readonly subtotalMinor: number;
  readonly shippingMinor: number;
  readonly totalMinor: number;
}

/** Prices `items` (at least one) at the catalog's prices; refuses products priced in different currencies. */
export function priceLines(items: readonly CartItem[]): PricedLines {
  const priced = items.map(({ product, quantity }) => {
    const unit = catalogPrice(product);
    return { product, quantity, unit, total: multiply(unit, quantity) };
  });
  const currency = priced[0]?.unit.currencyCode;
  if (currency === undefined) throw new RangeError("an order needs at least one line");
  const foreign = priced.find((p) => p.unit.currencyCode !== currency);
  if (foreign !== undefined) {
    throw preconditionFailed("the cart's products are priced in different currencies", [
      {
        type: "CURRENCY",
        subject: `product/${foreign.product.id}`,
        description: `priced in ${foreign.unit.currencyCode}, not ${currency}`,
      },
    ]);
  }
  return {
    currency,
    lines: priced.map((p) => ({
      productId: p.product.id,
      sku: p.product.sku,
      name: p.product.name,
      quantity: p.quantity,
      unitPriceMinor: kept(p.unit),
      lineTotalMinor: kept(p.total),
    })),
    subtotal: sum(
      currency,
      priced.map((p) => p.total),
    ),
  };
}

/**
 * The order's amounts once shipping costs `cost`. Shipping quotes in a currency of its own (US
 * dollars); an order is placed only when its products are priced in that currency too, since the
 * shop converts no currency: a cart in another one is refused before anything is recorded.
 */
export function addShipping(priced: PricedLines, cost: Money | undefined): PricedOrder {
  if (cost === undefined) throw new Error("GetQuote returned no cost");
  const shipping = amountFromMoney(cost);
  if (Array.isArray(shipping)) throw new Error(`GetQuote returned a bad cost: ${describeMoneyProblems(shipping)}`);
  if (shipping.currencyCode !== priced.currency) {
    throw preconditionFailed("shipping is quoted in another currency than the products", [
      { type: "CURRENCY", subject: "shipping", description: `quoted in ${shipping.currencyCode}, not ${priced.currency}` },
    ]);
  }
  return {
    currency: priced.currency,
    lines: priced.lines,
    subtotalMinor: kept(priced.subtotal),
    shippingMinor: kept(shipping),
    totalMinor: kept(add(priced.subtotal, shipping)),
  };
}

/** The catalog's price of `product`; the catalog accepts only valid prices, so a bad one is a fault. */
function catalogPrice(product: Product): Amount {
  if (product.price === undefined) throw new Error(`product ${product.id} has no price`);
  const price = amountFromMoney(product.price);
  if (Array.isArray(price)) throw new Error(`product ${product.id} has a bad price: ${describeMoneyProblems(price)}`);
  return price;
}

/** `amount` as the order keeps it: a safe integer of minor units (far beyond any real order). */
function kept(amount: Amount): number {
  const minor = safeMinor(amount);
  if (minor === undefined) throw new RangeError(`${formatAmount(amount)} is beyond what an order can hold`);
  return minor;
}
