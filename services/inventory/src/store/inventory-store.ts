// What the handlers need from the inventory's storage, in domain terms (no protobuf messages).
import type { Probe } from "@shopmesh/kit";

/** Stock of one SKU. */
export interface StockLevel {
  readonly sku: string;
  /** On hand and not held by any HELD reservation. */
  readonly available: number;
  /** Held by HELD reservations. */
  readonly reserved: number;
  /** Sold by confirmed orders. */
  readonly sold: number;
}

export interface ReservedLine {
  readonly sku: string;
  readonly quantity: number;
}

export type ReservationStatus = "HELD" | "COMMITTED" | "RELEASED" | "EXPIRED";

export interface StoredReservation {
  readonly orderId: string;
  /** As requested, in request order. */
  readonly lines: readonly ReservedLine[];
  readonly status: ReservationStatus;
  /** Creation time plus ttl, in epoch milliseconds; unchanged after the reservation leaves HELD. */
  readonly expireTimeMs: number;
}

/** A SKU that could not cover its line. */
export interface Shortage {
  readonly sku: string;
  readonly requested: number;
  readonly available: number;
}

export type ReserveOutcome =
  /** The reservation was created now and holds the stock. */
  | { readonly kind: "created"; readonly reservation: StoredReservation }
  /** The order already had a reservation with the same lines; nothing was taken. */
  | { readonly kind: "replayed"; readonly reservation: StoredReservation }
  /** The order already has a reservation with other lines; nothing was taken. */
  | { readonly kind: "conflict"; readonly reservation: StoredReservation }
  /** At least one SKU is short; nothing was taken. */
  | { readonly kind: "short"; readonly shortages: readonly Shortage[] };

export type TransitionOutcome =
  | { readonly kind: "not-found" }
  /** The reservation after the call: the target state, or the state that prevented it. */
  | { readonly kind: "found"; readonly reservation: StoredReservation };

export interface InventoryStore {
  readonly probe: Probe;
  /** The stock of `sku`, or undefined when SetStock never recorded it. */
  getStock(sku: string, nowMs: number): Promise<StockLevel | undefined>;
  /** Counts `lines` as sold unless the event `eventId` was counted before; true when it counted them. */
  recordSale(eventId: string, lines: readonly ReservedLine[]): Promise<boolean>;
  /** Sets `available`, leaving `reserved` as it is. */
  setStock(sku: string, available: number, nowMs: number): Promise<StockLevel>;
  /** All or nothing across lines; idempotent on orderId. */
  reserve(orderId: string, lines: readonly ReservedLine[], nowMs: number, ttlMs: number): Promise<ReserveOutcome>;
  /** HELD → COMMITTED (unless it is due: then EXPIRED); any other state is returned as it is. */
  commit(orderId: string, nowMs: number): Promise<TransitionOutcome>;
  /** HELD → RELEASED (unless it is due: then EXPIRED); any other state is returned as it is. */
  release(orderId: string, nowMs: number): Promise<TransitionOutcome>;
  /** Expires up to `limit` HELD reservations due at `nowMs`; returns how many it looked at. */
  expireDue(nowMs: number, limit: number): Promise<number>;
}
