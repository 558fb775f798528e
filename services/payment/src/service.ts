// PaymentService handlers: validate, record, ask the processor, record its answer, map to messages.
// Each step is a record inserted under a unique key, so replicas racing on one key agree: the
// payment is recorded PENDING before the processor is asked, a void of the key is seen by a
// Charge before it asks and again after it recorded the outcome, and what a void overtook is
// refunded by whichever call sees both.
import type { ServiceImpl } from "@connectrpc/connect";
import type { PaymentService } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { Violations, type Clock } from "@shopmesh/kit";
import { cardBrand, cardLast4 } from "./card.js";
import type { CardProcessor } from "./card-processor.js";
import { chargeVoided, idempotencyConflict, idempotencyKeyNotFound, notRefundable, paymentNotFound, viaProcessor } from "./errors.js";
import { sameAmount } from "@shopmesh/domain";
import { paymentIdFor } from "./payment-id.js";
import { toPaymentMessage } from "./store/mappers.js";
import type { PaymentStore, StoredPayment } from "./store/payment-store.js";
import { checkId, parseChargeRequest } from "./validation.js";

export interface PaymentServiceDeps {
  readonly store: PaymentStore;
  readonly processor: CardProcessor;
  /** Epoch milliseconds: card expiry and payment times go by it. */
  readonly clock: Clock;
}

export function createPaymentService(deps: PaymentServiceDeps): ServiceImpl<typeof PaymentService> {
  const { store, processor, clock } = deps;

  /** Refunds a CAPTURED payment through the processor (at most once per payment), then records it. */
  const refundCaptured = async (payment: StoredPayment): Promise<StoredPayment> => {
    await viaProcessor(() => processor.refund({ paymentId: payment.id, amount: payment.amount }));
    const refunded = await store.recordRefund(payment, new Date(clock()));
    if (refunded.status !== "REFUNDED") throw new Error(`payment ${payment.id} is ${refunded.status} right after its refund`);
    return refunded;
  };

  /** A voided key keeps nothing charged: what it captured is refunded, and the Charge fails. */
  const refuseVoided = async (payment: StoredPayment): Promise<never> => {
    if (payment.status === "CAPTURED") await refundCaptured(payment);
    throw chargeVoided(payment.idempotencyKey);
  };

  return {
    async charge(req) {
      const { idempotencyKey, amount, card } = parseChargeRequest(req, clock());
      const { payment: first } = await store.claim({
        id: paymentIdFor(idempotencyKey),
        idempotencyKey,
        amount,
        cardBrand: cardBrand(card.number),
        cardLast4: cardLast4(card.number),
        createTime: new Date(clock()),
      });
      if (!sameAmount(first.amount, amount)) throw idempotencyConflict(first, amount);
      if (first.voided) return refuseVoided(first);
      // A settled payment is replayed; a PENDING one (this call's, or one a cut-off call left)
      // is decided by the processor, which acts at most once per key.
      if (first.status !== "PENDING") return { payment: toPaymentMessage(first) };

      const decision = await viaProcessor(() => processor.charge({ idempotencyKey, amount, card }));
      const settled = await store.recordOutcome(first, decision, new Date(clock()));
      // Read after the outcome was recorded: a void that came meanwhile is seen here, or the
      // void sees this outcome and refunds it itself.
      if (settled.voided) return refuseVoided(settled);
      return { payment: toPaymentMessage(settled) };
    },

    async voidCharge(req) {
      const v = new Violations();
      checkId(v, "idempotency_key", req.idempotencyKey);
      v.throwIfAny();
      // Recorded first: a Charge of this key that records its payment or outcome from now on sees it.
      await store.recordVoid(req.idempotencyKey, new Date(clock()));
      const payment = await store.findByIdempotencyKey(req.idempotencyKey);
      if (payment === undefined) return {};
      return { payment: toPaymentMessage(payment.status === "CAPTURED" ? await refundCaptured(payment) : payment) };
    },

    async refund(req) {
      const v = new Violations();
      checkId(v, "payment_id", req.paymentId);
      v.throwIfAny();
      const payment = await store.findById(req.paymentId);
      if (payment === undefined) throw paymentNotFound(req.paymentId);
      if (payment.status === "REFUNDED") return { payment: toPaymentMessage(payment) };
      if (payment.status !== "CAPTURED") throw notRefundable(payment);
      return { payment: toPaymentMessage(await refundCaptured(payment)) };
    },

    async getPayment(req) {
      const v = new Violations();
      const { lookup } = req;
      switch (lookup.case) {
        case "paymentId": {
          checkId(v, "payment_id", lookup.value);
          v.throwIfAny();
          const payment = await store.findById(lookup.value);
          if (payment === undefined) throw paymentNotFound(lookup.value);
          return { payment: toPaymentMessage(payment) };
        }
        case "idempotencyKey": {
          checkId(v, "idempotency_key", lookup.value);
          v.throwIfAny();
          const payment = await store.findByIdempotencyKey(lookup.value);
          if (payment === undefined) throw idempotencyKeyNotFound(lookup.value);
          return { payment: toPaymentMessage(payment) };
        }
        default:
          throw v.add("lookup", "must be set: payment_id or idempotency_key").error();
      }
    },
  };
}
