// Where carts live. One implementation: Redis (redis-cart-store.ts).
import type { Probe } from "@shopmesh/kit";
import type { AddRefusal, CartContents, ItemToAdd } from "../cart.js";

export type AddItemOutcome =
  | { readonly added: true; readonly cart: CartContents }
  | { readonly added: false; readonly refusal: AddRefusal };

/**
 * Carts by user id. Every change is atomic per cart and refreshes its expiry; an outage fails
 * with UNAVAILABLE.
 */
export interface CartStore {
  /** The user's cart; an empty one when there is none. */
  get(userId: string): Promise<CartContents>;
  /**
   * Adds units of a product (a new line, or more units on its line, whose SKU, name and price
   * are replaced by the item's) unless that would break a cart limit; then nothing changes.
   */
  addItem(userId: string, item: ItemToAdd): Promise<AddItemOutcome>;
  /** Removes the product's line, if there is one. */
  removeItem(userId: string, productId: string): Promise<CartContents>;
  /** Removes every line. */
  empty(userId: string): Promise<CartContents>;
  /** Health check of the store. */
  readonly probe: Probe;
  close(): Promise<void>;
}
