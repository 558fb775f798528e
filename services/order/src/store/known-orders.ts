// The order as this process last wrote or read it, per order, so that a writer can append the
// next log entry without reading first (see the store's append). Only a fold of the log goes in,
// so a remembered order is the order at its sequence number; whether that is still the latest,
// the unique key of the next entry decides. Bounded: the oldest are forgotten first.
import { closed } from "./open-orders.js";
import type { OrderDocument } from "./order-document.js";

/** Orders in flight at once in one process, with room to spare. */
const defaultCapacity = 10_000;

export interface KnownOrders {
  get(id: string): OrderDocument | undefined;
  /** Keeps `doc` unless a newer one of its order is known; forgets a closed order. */
  remember(doc: OrderDocument): void;
  forget(id: string): void;
}

export function createKnownOrders(capacity = defaultCapacity): KnownOrders {
  const orders = new Map<string, OrderDocument>();
  return {
    get: (id) => orders.get(id),
    remember(doc) {
      const current = orders.get(doc._id);
      if (current !== undefined && (current.seq ?? 0) > (doc.seq ?? 0)) return;
      orders.delete(doc._id);
      if (closed(doc)) return;
      orders.set(doc._id, doc);
      if (orders.size > capacity) orders.delete(orders.keys().next().value as string);
    },
    forget: (id) => {
      orders.delete(id);
    },
  };
}
