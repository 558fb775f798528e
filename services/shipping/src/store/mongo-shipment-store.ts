// ShipmentStore on MongoDB (or FerretDB): shipments keyed by an id made of their order's, with
// unique indexes on order_id and tracking_id, and cancellations keyed by order id. Idempotency is
// the keys' job: insert first, and on a duplicate key read back what is there, so concurrent
// creates for one order store exactly one shipment and concurrent cancellations one cancellation.
import { MongoServerError, type Collection } from "mongodb";
import type { MongoStore } from "@shopmesh/stores/mongo";
import { storeGuard } from "@shopmesh/stores/mongo";
import { shipmentFromDocument, shipmentToDocument, type CancellationDocument, type ShipmentDocument } from "./shipment-document.js";
import type { InsertOutcome, ShipmentRecord, ShipmentStore } from "./shipment-store.js";
import { shipmentIdFor } from "../shipment-id.js";

export const shipmentsCollection = "shipments";
export const cancellationsCollection = "shipment_cancellations";

const duplicateKey = 11_000;

/** The store on an open connection; creates its indexes first. */
export async function createMongoShipmentStore(mongo: MongoStore): Promise<ShipmentStore> {
  const shipments: Collection<ShipmentDocument> = mongo.db.collection<ShipmentDocument>(shipmentsCollection);
  const cancellations: Collection<CancellationDocument> = mongo.db.collection<CancellationDocument>(cancellationsCollection);
  await translated(async () => {
    // One at a time: FerretDB 1.24 drops the connection when one createIndexes command
    // lists several indexes that already exist, i.e. on every restart.
    await shipments.createIndex({ order_id: 1 }, { name: "order_id_unique", unique: true });
    await shipments.createIndex({ tracking_id: 1 }, { name: "tracking_id_unique", unique: true });
  });

  const withCancellation = async (doc: ShipmentDocument | null): Promise<ShipmentRecord | undefined> =>
    doc === null ? undefined : shipmentFromDocument(doc, await cancellations.findOne({ _id: doc.order_id }));

  /**
   * The order's shipment: the one with the id made of the order's (shipment-id.ts), read by `_id`.
   * Only a shipment stored before ids were made so has another id; a query by order finds it,
   * at the cost of FerretDB reading the whole collection, when the first read finds nothing.
   */
  const ofOrder = async (orderId: string): Promise<ShipmentRecord | undefined> =>
    withCancellation((await shipments.findOne({ _id: shipmentIdFor(orderId) })) ?? (await shipments.findOne({ order_id: orderId })));

  return {
    probe: mongo.probe,

    insert: (shipment) =>
      translated(async (): Promise<InsertOutcome> => {
        try {
          await shipments.insertOne(shipmentToDocument(shipment));
          return { kind: "inserted" };
        } catch (err) {
          if (!(err instanceof MongoServerError && err.code === duplicateKey)) throw err;
        }
        // Which key was taken is not reported the same way by every server; the order tells.
        // Shipments are never deleted, so an order_id clash means the document is there to read.
        const existing = await ofOrder(shipment.orderId);
        return existing === undefined ? { kind: "id-taken" } : { kind: "order-has-shipment", existing };
      }),

    recordCancellation: (orderId, now) =>
      translated(async () => {
        try {
          await cancellations.insertOne({ _id: orderId, time: now });
        } catch (err) {
          // Cancelled before: the first cancellation stands.
          if (!(err instanceof MongoServerError && err.code === duplicateKey)) throw err;
        }
      }),

    findById: (id) => translated(async () => withCancellation(await shipments.findOne({ _id: id }))),

    findByOrderId: (orderId) => translated(() => ofOrder(orderId)),
  };
}

/** The one place store errors are translated: an unreachable store becomes UNAVAILABLE. */
const translated = storeGuard("shipping store");
