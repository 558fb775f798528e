// Explicit mapping between what Redis holds (strings in hashes) and the domain types, and between
// the domain types and the contract's messages.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  ReservationSchema,
  ReservationState,
  StockSchema,
  type Reservation,
  type Stock,
} from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import type { ReservationStatus, ReservedLine, StockLevel, StoredReservation } from "./inventory-store.js";

const statuses: Record<ReservationStatus, ReservationState> = {
  HELD: ReservationState.HELD,
  COMMITTED: ReservationState.COMMITTED,
  RELEASED: ReservationState.RELEASED,
  EXPIRED: ReservationState.EXPIRED,
};

/** The lines field of a reservation hash: JSON, in request order, only sku and quantity. */
export function linesToStored(lines: readonly ReservedLine[]): string {
  return JSON.stringify(lines.map(({ sku, quantity }) => ({ sku, quantity })));
}

/** A reservation from its hash fields; throws on data this service could not have written. */
export function reservationFromStored(orderId: string, state: unknown, lines: unknown, expireMs: unknown): StoredReservation {
  if (typeof state !== "string" || !(state in statuses)) {
    throw new Error(`reservation ${orderId}: unknown state ${JSON.stringify(state)}`);
  }
  const expireTimeMs = Number(expireMs);
  if (typeof expireMs !== "string" || !Number.isSafeInteger(expireTimeMs)) {
    throw new Error(`reservation ${orderId}: bad expire_ms ${JSON.stringify(expireMs)}`);
  }
  return { orderId, status: state as ReservationStatus, lines: storedToLines(orderId, lines), expireTimeMs };
}

function storedToLines(orderId: string, stored: unknown): ReservedLine[] {
  const parsed: unknown = typeof stored === "string" ? JSON.parse(stored) : undefined;
  if (!Array.isArray(parsed)) throw new Error(`reservation ${orderId}: bad lines ${JSON.stringify(stored)}`);
  return parsed.map((line: unknown) => {
    const { sku, quantity } = (line ?? {}) as { sku?: unknown; quantity?: unknown };
    if (typeof sku !== "string" || typeof quantity !== "number") {
      throw new Error(`reservation ${orderId}: bad line ${JSON.stringify(line)}`);
    }
    return { sku, quantity };
  });
}

/** A stock level from the hash's available, reserved and sold fields; undefined when the SKU has none. */
export function stockFromStored(sku: string, available: unknown, reserved: unknown, sold: unknown): StockLevel | undefined {
  if (available === null || available === undefined) return undefined;
  const level = { sku, available: Number(available), reserved: Number(reserved ?? 0), sold: Number(sold ?? 0) };
  if (![level.available, level.reserved, level.sold].every(Number.isSafeInteger)) {
    throw new Error(`stock ${sku}: bad counts ${JSON.stringify([available, reserved, sold])}`);
  }
  return level;
}

export function toStockMessage(level: StockLevel): Stock {
  return create(StockSchema, { sku: level.sku, available: level.available, reserved: level.reserved, sold: level.sold });
}

export function toReservationMessage(reservation: StoredReservation): Reservation {
  return create(ReservationSchema, {
    orderId: reservation.orderId,
    lines: reservation.lines.map(({ sku, quantity }) => ({ sku, quantity })),
    state: statuses[reservation.status],
    expireTime: timestampFromMs(reservation.expireTimeMs),
  });
}
