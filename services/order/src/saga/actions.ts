// The saga's downstream calls, one function per step. Each is idempotent, keyed by the order id
// (ReserveStock(order_id), Charge(idempotency_key = order id), CreateShipment(order_id), and the
// compensations CancelShipment(order_id), VoidCharge(idempotency_key = order id), …), and reports
// what happened as a StepOutcome instead of throwing.
import { Code, ConnectError } from "@connectrpc/connect";
import { PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { ReservationState } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { PaymentStatus, type PaymentCard } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { codeName } from "@shopmesh/kit";
import { internalHeaders, isDefiniteFailure, userHeaders, type Downstream } from "../downstream.js";
import { moneyFromAmount } from "@shopmesh/domain";
import { orderAmount, type OrderRecord } from "../order.js";
import { toAddressMessage } from "../order-message.js";
import type { StepOutcome } from "./state-machine.js";
import { stepSpan } from "./step-span.js";

export interface SagaActions {
  reserve(order: OrderRecord, requestId?: string): Promise<StepOutcome>;
  charge(order: OrderRecord, card: PaymentCard, requestId?: string): Promise<StepOutcome>;
  ship(order: OrderRecord, requestId?: string): Promise<StepOutcome>;
  commit(order: OrderRecord, requestId?: string): Promise<StepOutcome>;
  emptyCart(order: OrderRecord, requestId?: string): Promise<StepOutcome>;
  /** Undoes the charge (and, for a PAID order, the shipment) by the order id, whatever became of them. */
  refund(order: OrderRecord, requestId?: string): Promise<StepOutcome>;
  release(order: OrderRecord, requestId?: string): Promise<StepOutcome>;
}

export interface ActionsDeps {
  readonly downstream: Downstream;
  readonly reservationTtlMs: number;
}

const ok: StepOutcome = { kind: "ok" };

/** A failed call as an outcome: refused for good, or unknown whether it took effect. */
function failed(service: string, err: unknown): StepOutcome {
  const e = ConnectError.from(err);
  const message = `${codeName(e.code)}: ${e.rawMessage}`;
  return isDefiniteFailure(e) ? { kind: "rejected", service, message, error: e } : { kind: "unavailable", service, message, error: e };
}

function codeOf(err: unknown): Code {
  return ConnectError.from(err).code;
}

export function createSagaActions(deps: ActionsDeps): SagaActions {
  const { downstream } = deps;
  const items = (order: OrderRecord) => order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
  const ttl = { seconds: BigInt(Math.floor(deps.reservationTtlMs / 1000)), nanos: (deps.reservationTtlMs % 1000) * 1_000_000 };

  return {
    async reserve(order, requestId) {
      try {
        const { reservation } = await downstream.inventory.reserveStock(
          { orderId: order.id, lines: items(order), ttl },
          { headers: internalHeaders(requestId) },
        );
        // A replay returns the reservation in its current state; only a HELD one is ours to use.
        if (reservation !== undefined && reservation.state !== ReservationState.HELD) {
          return { kind: "rejected", service: "inventory", message: `the reservation is ${ReservationState[reservation.state]}` };
        }
        return ok;
      } catch (err) {
        const e = ConnectError.from(err);
        const stock =
          e.code === Code.FailedPrecondition
            ? e
                .findDetails(PreconditionFailureSchema)
                .flatMap((d) => d.violations)
                .filter((v) => v.type === "STOCK")
            : [];
        if (stock.length > 0) {
          const violations = stock.map((v) => ({ type: v.type, subject: v.subject, description: v.description }));
          const description = violations.map((v) => `${v.subject.replace(/^sku\//, "")} (${v.description})`).join(", ");
          return { kind: "short", description, violations };
        }
        return failed("inventory", e);
      }
    },

    async charge(order, card, requestId) {
      // Nothing to charge (free items, free shipping); the payment service takes only amounts > 0.
      if (order.totalMinor === 0) return ok;
      try {
        const { payment } = await downstream.payment.charge(
          { idempotencyKey: order.id, amount: moneyFromAmount(orderAmount(order, order.totalMinor)), card },
          { headers: internalHeaders(requestId) },
        );
        if (payment === undefined) return { kind: "unavailable", service: "payment", message: "Charge returned no payment" };
        switch (payment.status) {
          case PaymentStatus.CAPTURED:
            return { kind: "ok", paymentId: payment.id };
          case PaymentStatus.DECLINED:
            return { kind: "declined", paymentId: payment.id, reason: payment.declineReason || "declined" };
          default:
            return { kind: "rejected", service: "payment", message: `the payment is ${PaymentStatus[payment.status]}` };
        }
      } catch (err) {
        return failed("payment", err);
      }
    },

    async ship(order, requestId) {
      try {
        const { shipment } = await downstream.shipping.createShipment(
          { orderId: order.id, address: toAddressMessage(order.address), items: items(order) },
          { headers: internalHeaders(requestId) },
        );
        return { kind: "ok", shipmentId: shipment?.id ?? "", trackingId: shipment?.trackingId ?? "" };
      } catch (err) {
        return failed("shipping", err);
      }
    },

    async commit(order, requestId) {
      try {
        await downstream.inventory.commitReservation({ orderId: order.id }, { headers: internalHeaders(requestId) });
        return ok;
      } catch (err) {
        return failed("inventory", err);
      }
    },

    async emptyCart(order, requestId) {
      try {
        await downstream.cart.emptyCart({}, { headers: userHeaders(order.userId, requestId) });
        return ok;
      } catch (err) {
        return failed("cart", err);
      }
    },

    async refund(order, requestId) {
      const headers = internalHeaders(requestId);
      // Voided by key, not looked up: a Charge or CreateShipment whose outcome is unknown (it timed
      // out, the order's runner crashed) may still be running, and must meet the void when it lands.
      if (order.state === "PAID") {
        const cancelled = await stepSpan("cancelShipment", order.id, async () => {
          try {
            // PAID: the shipment may have been created, or be on its way.
            await downstream.shipping.cancelShipment({ orderId: order.id }, { headers });
            return ok;
          } catch (err) {
            return failed("shipping", err);
          }
        });
        if (cancelled.kind !== "ok") return cancelled;
      }
      // Nothing was charged for a total of 0 (the charge step asks nothing then).
      if (order.totalMinor === 0) return ok;
      return stepSpan("voidCharge", order.id, async () => {
        try {
          // No payment yet: the key is voided; PENDING: voided; CAPTURED: refunded; DECLINED: left.
          await downstream.payment.voidCharge({ idempotencyKey: order.id }, { headers });
          return ok;
        } catch (err) {
          return failed("payment", err);
        }
      });
    },

    async release(order, requestId) {
      try {
        await downstream.inventory.releaseReservation({ orderId: order.id }, { headers: internalHeaders(requestId) });
        return ok;
      } catch (err) {
        // NOT_FOUND: nothing was reserved (or the reservation call never arrived).
        if (codeOf(err) === Code.NotFound) return ok;
        return failed("inventory", err);
      }
    },
  };
}
