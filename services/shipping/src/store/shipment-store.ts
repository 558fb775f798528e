// What the service needs from its store, in the service's own terms (no protobuf messages).
import type { Probe } from "@shopmesh/kit";
import type { AddressFields } from "@shopmesh/domain";
import type { LineItemFields } from "../line-items.js";

export type ShipmentState = "CREATED" | "CANCELLED";

/** A shipment as the service keeps it. */
export interface ShipmentRecord {
  readonly id: string;
  readonly orderId: string;
  readonly trackingId: string;
  readonly address: AddressFields;
  /** In the order the creating request listed them. */
  readonly items: readonly LineItemFields[];
  /** Whole US cents. */
  readonly costCents: number;
  /** CANCELLED once its order's cancellation is recorded, whichever came first. */
  readonly state: ShipmentState;
  /** Millisecond precision, as stored. */
  readonly createTime: Date;
}

export type InsertOutcome =
  /** The shipment is stored. */
  | { readonly kind: "inserted" }
  /** The order already has a shipment (this one or another): nothing was stored. */
  | { readonly kind: "order-has-shipment"; readonly existing: ShipmentRecord }
  /** Another shipment has this tracking id: nothing was stored; retry with a new one. */
  | { readonly kind: "id-taken" };

/**
 * Shipments, at most one per order, and cancellations, at most one per order: each inserted once
 * under the order id and never updated, so replicas racing on one order agree (FerretDB applies a
 * conditional update as read-then-write, so none is used). A shipment reads CANCELLED once its
 * order has a cancellation, recorded before or after it. Every method fails with UNAVAILABLE (a
 * ConnectError) when the store cannot be reached.
 */
export interface ShipmentStore {
  /** For health: throws while the store does not answer. */
  readonly probe: Probe;
  /** Stores `shipment` unless its order already has one; atomic on the order id. */
  insert(shipment: ShipmentRecord): Promise<InsertOutcome>;
  /** Records the cancellation of `orderId`'s shipment, existing or not, unless one is recorded. */
  recordCancellation(orderId: string, now: Date): Promise<void>;
  findById(id: string): Promise<ShipmentRecord | undefined>;
  findByOrderId(orderId: string): Promise<ShipmentRecord | undefined>;
}
