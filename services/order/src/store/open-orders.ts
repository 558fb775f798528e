// The orders still open: not final yet, or final with an event not yet published. Each has a
// marker in `order_open` (keyed by the order id) from before its `orders` document exists until
// its event is published, so the sweeps (recovery, the outbox relay) read only these few orders
// by `_id` instead of querying every order ever placed: FerretDB on SQLite answers a query on any
// field but `_id` by reading the whole collection, which made each sweep cost more with every
// order placed and, at a few thousand orders, took the store's whole time.
import type { Collection, Db } from "mongodb";
import { isDuplicateKey } from "@shopmesh/stores/mongo";
import type { OrderDocument } from "./order-document.js";

interface OpenOrder {
  _id: string;
  /** When the marker was made: one left by an order never recorded is dropped once old. */
  since: Date;
}

/** A marker without its order this long after it was made belongs to an insert that never happened. */
const orphanAfterMs = 60_000;

export interface OpenOrders {
  /** Marks `id` open (again: a no-op). */
  add(id: string, since: Date): Promise<void>;
  remove(id: string): Promise<void>;
  /** The `orders` documents of the open orders, as stored (the view may lag its log). */
  views(now: Date): Promise<OrderDocument[]>;
  /** Marks every order the view shows open; for orders stored before the markers existed. */
  backfill(): Promise<void>;
}

export function createOpenOrders(db: Db, orders: Collection<OrderDocument>): OpenOrders {
  const open: Collection<OpenOrder> = db.collection<OpenOrder>("order_open");

  const add = async (id: string, since: Date): Promise<void> => {
    try {
      await open.insertOne({ _id: id, since });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  };

  const remove = async (id: string): Promise<void> => {
    await open.deleteOne({ _id: id });
  };

  return {
    add,
    remove,
    async views(now) {
      const markers = await open.find({}).toArray();
      const views = await Promise.all(markers.map((m) => orders.findOne({ _id: m._id })));
      const found: OrderDocument[] = [];
      for (const [i, view] of views.entries()) {
        const marker = markers[i] as OpenOrder;
        if (view === null) {
          if (now.getTime() - marker.since.getTime() > orphanAfterMs) await remove(marker._id);
        } else if (closed(view)) {
          // Its writer stopped between the last entry and removing the marker.
          await remove(marker._id);
        } else {
          found.push(view);
        }
      }
      return found;
    },
    async backfill() {
      const stored = await orders
        .find({ $or: [{ state: { $nin: ["CONFIRMED", "CANCELLED"] } }, { outbox: { $ne: null } }] }, { projection: { _id: 1 } })
        .toArray();
      for (const { _id } of stored) await add(_id, new Date());
    },
  };
}

/**
 * Final with its event published: nothing makes such an order open again (only the change to a
 * final state records an event, and nothing leaves a final state), so a lagging view is enough.
 */
export function closed(doc: OrderDocument): boolean {
  return (doc.state === "CONFIRMED" || doc.state === "CANCELLED") && (doc.outbox === undefined || doc.outbox === null);
}
