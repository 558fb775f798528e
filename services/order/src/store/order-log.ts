// The order log: every change of an order after it was recorded, as an entry numbered 1, 2, 3, …
// per order in the `order_log` collection, keyed by (order id, sequence number): its `_id` is
// "<order id>/<sequence number>", so the unique _id index holds one entry per number.
//
// Why a log: FerretDB 1.x applies a conditional update as "find, then write the whole document
// back by _id" with nothing held in between, so two processes' racing updates of one order can
// both match and the later undoes the earlier (a lease taken twice, a cancellation lost). A unique
// index it does enforce across connections. So a writer reads the order (its `orders` document
// with the newer entries folded in, up to entry n), checks its condition on that, and inserts entry
// n + 1: of two racing writers exactly one inserts it; the other gets a duplicate key, reads
// again and checks again. The same holds on MongoDB. The key is the `_id` because FerretDB 1.x on
// SQLite looks up only `_id` by index; a query on any other field reads the whole collection.
import type { Binary } from "mongodb";
import type { OrderDocument } from "./order-document.js";

/** The fields of an order that change after it is recorded; everything else is fixed at insert. */
export const changingFields = [
  "state",
  "paymentId",
  "shipmentId",
  "trackingId",
  "cancelRequested",
  "cancelReason",
  "refunded",
  "released",
  "committed",
  "cartEmptied",
  "updateTime",
  "leaseOwner",
  "leaseUntil",
  "attempts",
  "outbox",
] as const satisfies readonly (keyof OrderDocument)[];

/** What one entry sets. */
export type OrderChanges = Partial<Pick<OrderDocument, (typeof changingFields)[number]>>;

/** What wrote the entry; for whoever reads the log, folding does not look at it ("release": older versions only). */
export type OrderLogKind = "lease" | "advance" | "postpone" | "release" | "cancel-request" | "published";

/**
 * An event recorded in the same entry as the state change it reports (the transactional outbox:
 * FerretDB has no multi-document transactions, but one insert is all or nothing).
 */
export interface StoredEvent {
  id: string;
  type: string;
  data: Binary;
  time: Date;
  trace: Record<string, string>;
}

export interface OrderLogEntry {
  /** entryId(orderId, seq). */
  _id: string;
  orderId: string;
  seq: number;
  kind: OrderLogKind;
  set: OrderChanges;
  event?: StoredEvent;
}

/** The key of entry `seq` of order `orderId`. */
export function entryId(orderId: string, seq: number): string {
  return `${orderId}/${seq}`;
}

/** The sequence number of the last entry folded into `doc`. */
export function seqOf(doc: OrderDocument): number {
  return doc.seq ?? 0;
}

/** Only the known changing fields of `set` (an entry read back may carry anything). */
export function knownChanges(set: OrderChanges): OrderChanges {
  return Object.fromEntries(changingFields.filter((key) => set[key] !== undefined).map((key) => [key, set[key]])) as OrderChanges;
}

/** `doc` with `entries` applied in order; they must follow on from it without a gap. */
export function fold(doc: OrderDocument, entries: readonly OrderLogEntry[]): OrderDocument {
  let folded = doc;
  for (const entry of entries) {
    const expected = seqOf(folded) + 1;
    if (entry.seq !== expected) throw new Error(`the log of order ${doc._id} has entry ${entry.seq} where ${expected} belongs`);
    folded = { ...folded, ...knownChanges(entry.set), seq: entry.seq };
  }
  return folded;
}
