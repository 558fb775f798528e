// InventoryService handlers: validate, call the store, map to messages and contract errors.
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { PreconditionFailureSchema, ResourceInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import type { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { Violations, type Clock } from "@shopmesh/kit";
import type { InventoryStore, Shortage, StoredReservation, TransitionOutcome } from "./store/inventory-store.js";
import { toReservationMessage, toStockMessage } from "./store/mappers.js";
import { checkAvailable, checkLines, checkOrderId, checkSku, ttlMillis } from "./validation.js";

export interface InventoryServiceDeps {
  readonly store: InventoryStore;
  /** The hold time of a reservation whose request sets no ttl. */
  readonly defaultTtlMs: number;
  /** Epoch milliseconds; reservations expire by it. */
  readonly clock: Clock;
}

export function createInventoryService(deps: InventoryServiceDeps): ServiceImpl<typeof InventoryService> {
  const { store, clock } = deps;

  return {
    async getStock(req) {
      const v = new Violations();
      checkSku(v, "sku", req.sku);
      v.throwIfAny();
      const level = await store.getStock(req.sku, clock());
      if (level === undefined) throw stockNotFound(req.sku);
      return { stock: toStockMessage(level) };
    },

    async setStock(req) {
      const v = new Violations();
      checkSku(v, "sku", req.sku);
      checkAvailable(v, "available", req.available);
      v.throwIfAny();
      const level = await store.setStock(req.sku, req.available, clock());
      return { stock: toStockMessage(level) };
    },

    async reserveStock(req) {
      const v = new Violations();
      checkOrderId(v, "order_id", req.orderId);
      const lines = req.lines.map(({ sku, quantity }) => ({ sku, quantity }));
      checkLines(v, lines);
      const ttlMs = ttlMillis(v, req.ttl, deps.defaultTtlMs);
      v.throwIfAny();
      const outcome = await store.reserve(req.orderId, lines, clock(), ttlMs);
      switch (outcome.kind) {
        case "short":
          throw shortOfStock(outcome.shortages);
        case "conflict":
          throw reservationConflict(outcome.reservation);
        case "created":
        case "replayed":
          return { reservation: toReservationMessage(outcome.reservation) };
      }
    },

    async commitReservation(req) {
      checkOrderIdOnly(req.orderId);
      const reservation = found(req.orderId, await store.commit(req.orderId, clock()));
      if (reservation.status !== "COMMITTED") throw wrongState(reservation, "committed");
      return { reservation: toReservationMessage(reservation) };
    },

    async releaseReservation(req) {
      checkOrderIdOnly(req.orderId);
      const reservation = found(req.orderId, await store.release(req.orderId, clock()));
      // An EXPIRED reservation already gave its units back: releasing it changes nothing.
      if (reservation.status === "COMMITTED") throw wrongState(reservation, "released");
      return { reservation: toReservationMessage(reservation) };
    },
  };
}

function checkOrderIdOnly(orderId: string): void {
  const v = new Violations();
  checkOrderId(v, "order_id", orderId);
  v.throwIfAny();
}

function found(orderId: string, outcome: TransitionOutcome): StoredReservation {
  if (outcome.kind === "not-found") {
    throw new ConnectError(`no reservation for order ${orderId}`, Code.NotFound, undefined, [
      {
        desc: ResourceInfoSchema,
        value: { resourceType: "shop.inventory.v1.Reservation", resourceName: `order/${orderId}`, description: "no reservation" },
      },
    ]);
  }
  return outcome.reservation;
}

function stockNotFound(sku: string): ConnectError {
  return new ConnectError(`no stock recorded for SKU ${sku}`, Code.NotFound, undefined, [
    {
      desc: ResourceInfoSchema,
      value: { resourceType: "shop.inventory.v1.Stock", resourceName: `sku/${sku}`, description: "SetStock was never called for it" },
    },
  ]);
}

function shortOfStock(shortages: readonly Shortage[]): ConnectError {
  const described = shortages.map((s) => ({ ...s, description: `requested ${s.requested}, available ${s.available}` }));
  return new ConnectError(
    `not enough stock: ${described.map((s) => `${s.sku} (${s.description})`).join(", ")}`,
    Code.FailedPrecondition,
    undefined,
    [
      {
        desc: PreconditionFailureSchema,
        value: { violations: described.map((s) => ({ type: "STOCK", subject: `sku/${s.sku}`, description: s.description })) },
      },
    ],
  );
}

function reservationConflict(existing: StoredReservation): ConnectError {
  const description = `order ${existing.orderId} already has a reservation with other lines`;
  return new ConnectError(description, Code.FailedPrecondition, undefined, [
    {
      desc: PreconditionFailureSchema,
      value: { violations: [{ type: "RESERVATION", subject: `order/${existing.orderId}`, description }] },
    },
  ]);
}

function wrongState(reservation: StoredReservation, wanted: "committed" | "released"): ConnectError {
  const description = `reservation is ${reservation.status}`;
  return new ConnectError(
    `the reservation of order ${reservation.orderId} is ${reservation.status} and cannot be ${wanted}`,
    Code.FailedPrecondition,
    undefined,
    [{ desc: PreconditionFailureSchema, value: { violations: [{ type: "STATE", subject: `order/${reservation.orderId}`, description }] } }],
  );
}
