// The payment store on MongoDB (or FerretDB): one document per payment in `payments`, with a
// unique index on idempotency_key that makes "one payment per key" hold under races.
import { MongoServerError, type Collection } from "mongodb";
import { storeGuard, type MongoStore } from "@shopmesh/stores";
import { documentFromPayment, paymentFromDocument, type PaymentDocument } from "./mappers.js";
import type { PaymentStore, RecordOutcome, StoredPayment } from "./payment-store.js";

export const paymentsCollection = "payments";
const duplicateKeyCode = 11000;

/** The store on an open connection; creates its index first. */
export async function createMongoPaymentStore(mongo: MongoStore): Promise<PaymentStore> {
  const payments: Collection<PaymentDocument> = mongo.db.collection<PaymentDocument>(paymentsCollection);

  // Every store error leaves through here: an outage becomes UNAVAILABLE, anything else stays
  // unexpected (INTERNAL for the client, the cause in the log).
  const guard = storeGuard("payment store");
  await guard(() => payments.createIndex({ idempotency_key: 1 }, { unique: true, name: "idempotency_key_unique" }));

  const findByIdempotencyKey = (key: string): Promise<StoredPayment | undefined> =>
    guard(async () => {
      const doc = await payments.findOne({ idempotency_key: key });
      return doc === null ? undefined : paymentFromDocument(doc);
    });

  return {
    probe: mongo.probe,

    findById: (id) =>
      guard(async () => {
        const doc = await payments.findOne({ _id: id });
        return doc === null ? undefined : paymentFromDocument(doc);
      }),

    findByIdempotencyKey,

    async record(payment): Promise<RecordOutcome> {
      try {
        await guard(() => payments.insertOne(documentFromPayment(payment)));
        return { kind: "created", payment };
      } catch (err) {
        if (!(err instanceof MongoServerError && err.code === duplicateKeyCode)) throw err;
      }
      // Another call recorded this key first: its payment is the one.
      const first = await findByIdempotencyKey(payment.idempotencyKey);
      if (first === undefined) throw new Error(`payment ${payment.id}: duplicate key, but no payment has its idempotency key`);
      return { kind: "exists", payment: first };
    },

    markRefunded: (id, now) =>
      guard(async () => {
        const doc = await payments.findOneAndUpdate(
          { _id: id, status: "CAPTURED" },
          { $set: { status: "REFUNDED", update_time: now } },
          { returnDocument: "after" },
        );
        return doc === null ? undefined : paymentFromDocument(doc);
      }),
  };
}
