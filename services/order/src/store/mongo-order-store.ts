// OrderStore on MongoDB (or FerretDB): one document per order in the `orders` collection.
// Outages surface as UNAVAILABLE through storeGuard, translated here and nowhere else.
import type { Collection, Filter } from "mongodb";
import { MongoServerError } from "mongodb";
import { copyAddress, type AddressCopy } from "@shopmesh/domain";
import { storeGuard, type MongoStore } from "@shopmesh/stores";
import type { PagePosition } from "../page-token.js";
import { cancellableStates, sagaStates, type OrderRecord, type ProgressChanges, type SagaState } from "../order.js";
import { KeyedMutex } from "./keyed-mutex.js";
import type { OrderStore } from "./order-store.js";

/**
 * The stored document: the record with its id as `_id`. Dates are BSON dates. Amounts are whole
 * minor units of `currency`; their keys say "Cents" because every order so far was in USD, where
 * the two are the same, and documents already stored keep reading as they were written.
 */
export interface OrderDocument {
  _id: string;
  userId: string;
  requestId: string;
  state: SagaState;
  lines: {
    productId: string;
    sku: string;
    name: string;
    quantity: number;
    unitPriceCents: number;
    lineTotalCents: number;
  }[];
  currency: string;
  subtotalCents: number;
  shippingCents: number;
  totalCents: number;
  address: AddressCopy;
  paymentId: string;
  shipmentId: string;
  trackingId: string;
  cancelRequested: boolean;
  cancelReason: string;
  refunded: boolean;
  released: boolean;
  committed: boolean;
  cartEmptied: boolean;
  createTime: Date;
  updateTime: Date;
  leaseOwner: string | null;
  leaseUntil: Date;
  attempts: number;
}

const nonFinalStates: SagaState[] = ["PENDING", "RESERVED", "PAID", "SHIPPED"];
const duplicateKey = 11000;

export function toDocument(order: OrderRecord): OrderDocument {
  return {
    _id: order.id,
    userId: order.userId,
    requestId: order.requestId,
    state: order.state,
    lines: order.lines.map((l) => ({
      productId: l.productId,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPriceCents: l.unitPriceMinor,
      lineTotalCents: l.lineTotalMinor,
    })),
    currency: order.currency,
    subtotalCents: order.subtotalMinor,
    shippingCents: order.shippingMinor,
    totalCents: order.totalMinor,
    address: copyAddress(order.address),
    paymentId: order.paymentId,
    shipmentId: order.shipmentId,
    trackingId: order.trackingId,
    cancelRequested: order.cancelRequested,
    cancelReason: order.cancelReason,
    refunded: order.refunded,
    released: order.released,
    committed: order.committed,
    cartEmptied: order.cartEmptied,
    createTime: order.createTime,
    updateTime: order.updateTime,
    leaseOwner: order.leaseOwner,
    leaseUntil: order.leaseUntil,
    attempts: order.attempts,
  };
}

export function fromDocument(doc: OrderDocument): OrderRecord {
  if (!(sagaStates as readonly string[]).includes(doc.state)) throw new Error(`order ${doc._id} has an unknown state ${String(doc.state)}`);
  return {
    id: doc._id,
    userId: doc.userId,
    requestId: doc.requestId,
    state: doc.state,
    lines: doc.lines.map((l) => ({
      productId: l.productId,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPriceMinor: l.unitPriceCents,
      lineTotalMinor: l.lineTotalCents,
    })),
    currency: doc.currency,
    subtotalMinor: doc.subtotalCents,
    shippingMinor: doc.shippingCents,
    totalMinor: doc.totalCents,
    address: copyAddress(doc.address),
    paymentId: doc.paymentId,
    shipmentId: doc.shipmentId,
    trackingId: doc.trackingId,
    cancelRequested: doc.cancelRequested,
    cancelReason: doc.cancelReason,
    refunded: doc.refunded,
    released: doc.released,
    committed: doc.committed,
    cartEmptied: doc.cartEmptied,
    createTime: doc.createTime,
    updateTime: doc.updateTime,
    leaseOwner: doc.leaseOwner,
    leaseUntil: doc.leaseUntil,
    attempts: doc.attempts,
  };
}

/** The store on an open connection; creates its indexes first. */
export async function createMongoOrderStore(mongo: MongoStore): Promise<OrderStore> {
  const orders: Collection<OrderDocument> = mongo.db.collection<OrderDocument>("orders");
  const one = (doc: OrderDocument | null): OrderRecord | undefined => (doc === null ? undefined : fromDocument(doc));
  // Every write of an order goes through its lock (see keyed-mutex.ts); reads need none.
  const writes = new KeyedMutex();

  /** Runs a store operation; an outage becomes UNAVAILABLE. */
  const guard = storeGuard("order store");
  await guard(async () => {
    await orders.createIndex({ userId: 1, requestId: 1 }, { unique: true, name: "user_request_unique" });
    await orders.createIndex({ userId: 1, createTime: -1, _id: -1 }, { name: "user_newest_first" });
    await orders.createIndex({ state: 1, leaseUntil: 1 }, { name: "state_lease" });
  });

  const guardWrite = <T>(id: string, operation: () => Promise<T>): Promise<T> => writes.run(id, () => guard(operation));

  return {
    probe: mongo.probe,

    insert: (order) =>
      guard(async () => {
        try {
          await orders.insertOne(toDocument(order));
          return "inserted" as const;
        } catch (err) {
          if (err instanceof MongoServerError && err.code === duplicateKey) return "duplicate" as const;
          throw err;
        }
      }),

    get: (id) => guard(async () => one(await orders.findOne({ _id: id }))),

    getForUser: (userId, id) => guard(async () => one(await orders.findOne({ _id: id, userId }))),

    findByRequest: (userId, requestId) => guard(async () => one(await orders.findOne({ userId, requestId }))),

    list: (userId, limit, after) =>
      guard(async () => {
        const filter: Filter<OrderDocument> = after === undefined ? { userId } : { userId, ...olderThan(after) };
        const docs = await orders.find(filter).sort({ createTime: -1, _id: -1 }).limit(limit).toArray();
        return docs.map(fromDocument);
      }),

    acquireLease: (id, owner, now, until, options = {}) =>
      guardWrite(id, async () => {
        const free: Filter<OrderDocument> = options.evenIfBackingOff
          ? { $or: [{ leaseOwner: null }, { leaseUntil: { $lt: now } }] }
          : { leaseUntil: { $lt: now } };
        const doc = await orders.findOneAndUpdate(
          { _id: id, state: { $in: nonFinalStates }, ...free },
          { $set: { leaseOwner: owner, leaseUntil: until } },
          { returnDocument: "after" },
        );
        return one(doc);
      }),

    advance: (id, expectedState, owner, changes, now, leaseUntil) =>
      guardWrite(id, async () => {
        const set: Partial<OrderDocument> = { ...changeFields(changes), leaseUntil, attempts: 0 };
        if (changes.state !== undefined && changes.state !== expectedState) set.updateTime = now;
        const doc = await orders.findOneAndUpdate(
          { _id: id, state: expectedState, leaseOwner: owner },
          { $set: set },
          { returnDocument: "after" },
        );
        return one(doc);
      }),

    postpone: (id, owner, retryAt, attempts) =>
      guardWrite(id, async () => {
        await orders.updateOne({ _id: id, leaseOwner: owner }, { $set: { leaseOwner: null, leaseUntil: retryAt, attempts } });
      }),

    releaseLease: (id, owner, now) =>
      guardWrite(id, async () => {
        await orders.updateOne({ _id: id, leaseOwner: owner }, { $set: { leaseOwner: null, leaseUntil: now } });
      }),

    requestCancel: (userId, id, reason) =>
      guardWrite(id, async () => {
        await orders.updateOne(
          { _id: id, userId, state: { $in: [...cancellableStates] }, cancelRequested: false },
          { $set: { cancelRequested: true, cancelReason: reason } },
        );
        return one(await orders.findOne({ _id: id, userId }));
      }),

    findRecoverable: (now, limit) =>
      guard(async () => {
        const docs = await orders
          .find({ state: { $in: nonFinalStates }, leaseUntil: { $lt: now } })
          .sort({ leaseUntil: 1 })
          .limit(limit)
          .toArray();
        return docs.map(fromDocument);
      }),
  };
}

/** Orders after `position` in newest-first order. */
function olderThan(position: PagePosition): Filter<OrderDocument> {
  return { $or: [{ createTime: { $lt: position.createTime } }, { createTime: position.createTime, _id: { $lt: position.id } }] };
}

/** The document fields `changes` sets (explicitly: only known fields reach the store). */
function changeFields(changes: ProgressChanges): Partial<OrderDocument> {
  const set: Partial<OrderDocument> = {};
  if (changes.state !== undefined) set.state = changes.state;
  if (changes.cancelRequested !== undefined) set.cancelRequested = changes.cancelRequested;
  if (changes.cancelReason !== undefined) set.cancelReason = changes.cancelReason;
  if (changes.refunded !== undefined) set.refunded = changes.refunded;
  if (changes.released !== undefined) set.released = changes.released;
  if (changes.committed !== undefined) set.committed = changes.committed;
  if (changes.cartEmptied !== undefined) set.cartEmptied = changes.cartEmptied;
  if (changes.paymentId !== undefined) set.paymentId = changes.paymentId;
  if (changes.shipmentId !== undefined) set.shipmentId = changes.shipmentId;
  if (changes.trackingId !== undefined) set.trackingId = changes.trackingId;
  return set;
}
