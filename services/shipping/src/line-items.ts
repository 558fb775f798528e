// The rules of the `items` of a quote or shipment (shop.common.v1.LineItem, 1..50 of them).
import type { FieldViolation } from "@shopmesh/domain";

/** A quantity of one SKU; a shop.common.v1.LineItem message is one. */
export interface LineItemFields {
  readonly sku: string;
  readonly quantity: number;
}

export const maxItems = 50;
export const maxQuantity = 99;

const skuPattern = /^[A-Z0-9-]{3,32}$/;

/**
 * What is wrong with `items`, in order; empty when they are valid.
 *
 * - items: 1..50 (more than 50 is reported alone: the items themselves are not checked).
 * - items[i].sku: 3..32 characters of A-Z, 0-9 and '-'; with `distinctSkus`, not the SKU of an
 *   earlier item.
 * - items[i].quantity: 1..99.
 */
export function lineItemsViolations(
  items: readonly LineItemFields[],
  options: { readonly field?: string; readonly distinctSkus: boolean },
): FieldViolation[] {
  const field = options.field ?? "items";
  if (items.length === 0) return [{ field, description: `is required (1..${maxItems} items)` }];
  if (items.length > maxItems) return [{ field, description: `must have at most ${maxItems} items (got ${items.length})` }];
  const violations: FieldViolation[] = [];
  const firstIndexOfSku = new Map<string, number>();
  items.forEach((item, i) => {
    if (!skuPattern.test(item.sku)) {
      violations.push({ field: `${field}[${i}].sku`, description: "must be 3..32 characters of A-Z, 0-9 and '-'" });
    } else if (options.distinctSkus && firstIndexOfSku.has(item.sku)) {
      violations.push({
        field: `${field}[${i}].sku`,
        description: `repeats the SKU of ${field}[${firstIndexOfSku.get(item.sku)}] (${item.sku})`,
      });
    } else if (!firstIndexOfSku.has(item.sku)) {
      firstIndexOfSku.set(item.sku, i);
    }
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > maxQuantity) {
      violations.push({ field: `${field}[${i}].quantity`, description: `must be 1..${maxQuantity} (got ${item.quantity})` });
    }
  });
  return violations;
}

/** The number of units shipped: the sum of the quantities. */
export function totalUnits(items: readonly LineItemFields[]): number {
  return items.reduce((sum, item) => sum + item.quantity, 0);
}

/**
 * True when both lists hold the same set of (SKU, quantity) pairs, in any order, as the contract
 * compares a replayed CreateShipment's items.
 */
export function sameItems(a: readonly LineItemFields[], b: readonly LineItemFields[]): boolean {
  const pairs = (items: readonly LineItemFields[]): Set<string> => new Set(items.map((i) => `${i.sku}\u0000${i.quantity}`));
  const pa = pairs(a);
  const pb = pairs(b);
  return pa.size === pb.size && [...pa].every((p) => pb.has(p));
}
