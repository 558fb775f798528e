// The payment store on MongoDB (or FerretDB): a payment's records in four collections, each
// inserted once under a unique key (the idempotency key's unique index, or `_id`) and never
// updated, so racing replicas agree on the first record of each.
import type { Collection, Document } from "mongodb";
import { isDuplicateKey, storeGuard, type MongoStore } from "@shopmesh/stores/mongo";
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
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  };

  /**
   * The payment of `doc` with its other records, read after whatever the caller wrote; a record the
   * caller already knows (`known`: null for none) is not read again. A void is always read: one
   * may come from another call at any time.
   */
  const withRecords = async (
    doc: PaymentDocument,
    known: { readonly outcome?: OutcomeDocument | null; readonly refund?: RefundDocument | null } = {},
  ): Promise<StoredPayment> => {
    const [outcome, refund, voided] = await Promise.all([
      known.outcome !== undefined ? known.outcome : outcomes.findOne({ _id: doc.idempotency_key }),
      known.refund !== undefined ? known.refund : refunds.findOne({ _id: doc._id }),
      voids.findOne({ _id: doc.idempotency_key }),
    ]);
    return paymentFromDocuments({ payment: doc, outcome, refund, void: voided });
  };
  const complete = async (doc: PaymentDocument | null): Promise<StoredPayment | undefined> => (doc === null ? undefined : withRecords(doc));

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
        const doc = documentFromClaim(claim);
        if (!(await insertFirst(payments, doc))) return { kind: "exists", payment: await existing(claim.idempotencyKey) };
        // The first payment of its key: no outcome or refund can name it yet (both come after a
        // claim of the key), only a void of the key made before it.
        return { kind: "created", payment: await withRecords(doc, { outcome: null, refund: null }) };
      }),

    recordOutcome: (payment, outcome, now) =>
      guard(async () => {
        const record = outcomeDocument(payment, outcome, now);
        const first = await insertFirst(outcomes, record);
        // Read by the id it has (a payment stored before ids were made of keys has another).
        const doc = await payments.findOne({ _id: payment.id });
        if (doc === null) throw new Error(`no payment ${payment.id}, though its outcome was recorded`);
        return withRecords(doc, first ? { outcome: record } : {});
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
