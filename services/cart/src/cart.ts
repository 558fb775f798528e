// The cart's rules, as plain data and functions: what a line holds, the limits a cart keeps,
// and its totals. The store enforces the limits atomically; this file says what they are.
import { characterCount, multiply, type Amount } from "@shopmesh/domain";

/** Most units one line may hold. */
export const maxLineQuantity = 99;
/** Most distinct products one cart may hold. */
export const maxDistinctProducts = 50;
/** Longest product id, in characters (Unicode code points). */
export const maxProductIdLength = 64;
/** The currency of an empty cart's zero subtotal. */
export const emptyCartCurrency = "USD";

export interface CartLine {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: Amount;
}

/** A user's cart as stored: lines in the order they were first added. */
export interface CartContents {
  readonly lines: readonly CartLine[];
  /** Epoch milliseconds of the last change; undefined for a cart that never had a line. */
  readonly updateTimeMs: number | undefined;
}

export const emptyCart: CartContents = { lines: [], updateTimeMs: undefined };

/** What AddItem copies from the catalog into a line, with the units to add. */
export interface ItemToAdd {
  readonly productId: string;
  readonly quantity: number;
  readonly sku: string;
  readonly name: string;
  readonly unitPrice: Amount;
}

/** Why an AddItem left the cart unchanged (PreconditionFailure violation types). */
export type RefusalReason = "QUANTITY" | "CART_FULL" | "CURRENCY";

export interface AddRefusal {
  readonly reasons: readonly RefusalReason[];
  /** Units of the product already in the cart (0 when it has no line). */
  readonly quantityInCart: number;
  /** The currency of the cart's lines; undefined for an empty cart. */
  readonly cartCurrency: string | undefined;
}

/** Why a product id breaks the contract, or undefined when it is fine. */
export function productIdProblem(productId: string): string | undefined {
  if (productId === "") return "must not be empty";
  const length = characterCount(productId);
  if (length > maxProductIdLength) return `must be at most ${maxProductIdLength} characters (got ${length})`;
  return undefined;
}

/** Why a quantity to add breaks the contract, or undefined when it is fine. */
export function quantityProblem(quantity: number): string | undefined {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > maxLineQuantity) {
    return `must be between 1 and ${maxLineQuantity} (got ${quantity})`;
  }
  return undefined;
}

export interface CartTotals {
  readonly subtotal: Amount;
  /** Units across all lines. */
  readonly itemCount: number;
}

/** The subtotal and unit count of `lines`, which share one currency. */
export function cartTotals(lines: readonly CartLine[]): CartTotals {
  let minor = 0n;
  let itemCount = 0;
  for (const line of lines) {
    minor += lineTotal(line).minor;
    itemCount += line.quantity;
  }
  return { subtotal: { currencyCode: lines[0]?.unitPrice.currencyCode ?? emptyCartCurrency, minor }, itemCount };
}

export function lineTotal(line: CartLine): Amount {
  return multiply(line.unitPrice, line.quantity);
}

export interface RefusalViolation {
  readonly type: RefusalReason;
  readonly subject: string;
  readonly description: string;
}

/** The PreconditionFailure violations for an AddItem the store refused. */
export function refusalViolations(item: Pick<ItemToAdd, "productId" | "quantity" | "unitPrice">, refusal: AddRefusal): RefusalViolation[] {
  const product = `product/${item.productId}`;
  // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every reason; tsc checks that it returns
  return refusal.reasons.map((type): RefusalViolation => {
    switch (type) {
      case "QUANTITY":
        return {
          type,
          subject: product,
          description:
            `the cart holds ${refusal.quantityInCart} of product ${item.productId}; adding ${item.quantity} ` +
            `would exceed ${maxLineQuantity} per line`,
        };
      case "CART_FULL":
        return { type, subject: "cart", description: `the cart already holds ${maxDistinctProducts} distinct products` };
      case "CURRENCY":
        return {
          type,
          subject: product,
          description: `product ${item.productId} is priced in ${item.unitPrice.currencyCode}, the cart in ${refusal.cartCurrency ?? "?"}`,
        };
    }
  });
}
