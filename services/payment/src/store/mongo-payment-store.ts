// The payment store on MongoDB (or FerretDB): a payment's records in four collections, each
// inserted once under a unique key (the idempotency key's unique index, or `_id`) and never
// updated, so racing replicas agree on the first record of each.
import { MongoServerError, type Collection, type Document } from "mongodb";
import { storeGuard, type MongoStore } from "@shopmesh/stores";
import {
  documentFromClaim,
  outcomeDocument,
  paymentFromDocuments,
  type OutcomeDocument,
  type PaymentDocument,
  type RefundDocument,
  type VoidDocument,
} from "./mappers.js";
import type { PaymentStore, StoredPayment } from "./payment-store.js";
import { paymentIdFor } from "../payment-id.js";

export const paymentsCollection = "payments";
export const outcomesCollection = "payment_outcomes";
export const refundsCollection = "payment_refunds";
export const voidsCollection = "payment_voids";
const duplicateKeyCode = 11000;

/** The store on an open connection; creates its index first. */
export async function createMongoPaymentStore(mongo: MongoStore): Promise<PaymentStore> {
  const payments: Collection<PaymentDocument> = mongo.db.collection<PaymentDocument>(paymentsCollection);
  const outcomes: Collection<OutcomeDocument> = mongo.db.collection<OutcomeDocument>(outcomesCollection);
  const refunds: Collection<RefundDocument> = mongo.db.collection<RefundDocument>(refundsCollection);
  const voids: Collection<VoidDocument> = mongo.db.collection<VoidDocument>(voidsCollection);

  // Every store error leaves through here: an outage becomes UNAVAILABLE, anything else stays
  // unexpected (INTERNAL for the client, the cause in the log).
  const guard = storeGuard("payment store");
  await guard(() => payments.createIndex({ idempotency_key: 1 }, { unique: true, name: "idempotency_key_unique" }));

  /** Inserts `doc` unless its unique key is taken; whether this insert was the first. */
  const insertFirst = async <T extends Document>(collection: Collection<T>, doc: Parameters<Collection<T>["insertOne"]>[0]) => {
    try {
      await collection.insertOne(doc);
      return true;
    } catch (err) {
      if (err instanceof MongoServerError && err.code === duplicateKeyCode) return false;
      throw err;
    }
  };

  /** The payment of `doc` with its other records, read after whatever the caller wrote. */
  const complete = async (doc: PaymentDocument | null): Promise<StoredPayment | undefined> => {
    if (doc === null) return undefined;
    const [outcome, refund, voided] = await Promise.all([
      outcomes.findOne({ _id: doc.idempotency_key }),
      refunds.findOne({ _id: doc._id }),
      voids.findOne({ _id: doc.idempotency_key }),
    ]);
    return paymentFromDocuments({ payment: doc, outcome, refund, void: voided });
  };

  /**
   * The key's payment: the one with the id made of the key (payment-id.ts), read by `_id`. Only a
   * payment stored before ids were made so has another id; a query by key finds it, at the cost
   * of FerretDB reading the whole collection, when the first read finds nothing.
   */
  const byKey = async (key: string): Promise<StoredPayment | undefined> =>
    complete((await payments.findOne({ _id: paymentIdFor(key) })) ?? (await payments.findOne({ idempotency_key: key })));

  /** The payment of `key`, which a record just written says exists. */
  const existing = async (key: string): Promise<StoredPayment> => {
    const payment = await byKey(key);
    if (payment === undefined) throw new Error(`no payment has idempotency key ${key}, though one was recorded`);
    return payment;
  };

  return {
    probe: mongo.probe,

    findById: (id) => guard(async () => complete(await payments.findOne({ _id: id }))),

    findByIdempotencyKey: (key) => guard(() => byKey(key)),

    claim: (claim) =>
      guard(async () => {
        const created = await insertFirst(payments, documentFromClaim(claim));
        return { kind: created ? "created" : "exists", payment: await existing(claim.idempotencyKey) };
      }),

    recordOutcome: (payment, outcome, now) =>
      guard(async () => {
        await insertFirst(outcomes, outcomeDocument(payment, outcome, now));
        return existing(payment.idempotencyKey);
      }),

    recordRefund: (payment, now) =>
      guard(async () => {
        await insertFirst(refunds, { _id: payment.id, idempotency_key: payment.idempotencyKey, time: now });
        return existing(payment.idempotencyKey);
      }),

    recordVoid: (key, now) =>
      guard(async () => {
        await insertFirst(voids, { _id: key, time: now });
      }),
  };
}
