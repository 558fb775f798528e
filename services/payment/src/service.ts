// PaymentService handlers: validate, ask the processor, record in the store, map to messages.
import { randomUUID } from "node:crypto";
import type { ServiceImpl } from "@connectrpc/connect";
import type { PaymentService } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { Violations, type Clock } from "@shopmesh/kit";
import { cardBrand, cardLast4 } from "./card.js";
import type { CardProcessor } from "./card-processor.js";
import { idempotencyConflict, idempotencyKeyNotFound, notRefundable, paymentNotFound, viaProcessor } from "./errors.js";
import { sameAmount, type Amount } from "@shopmesh/domain";
import { toPaymentMessage } from "./store/mappers.js";
import type { PaymentStore, StoredPayment } from "./store/payment-store.js";
import { checkId, parseChargeRequest } from "./validation.js";

export interface PaymentServiceDeps {
  readonly store: PaymentStore;
  readonly processor: CardProcessor;
  /** Epoch milliseconds: card expiry and payment times go by it. */
  readonly clock: Clock;
}

/** "pay_" and 32 hex digits: opaque and well within the contract's 64 characters. */
export function randomPaymentId(): string {
  return `pay_${randomUUID().replaceAll("-", "")}`;
}

export function createPaymentService(deps: PaymentServiceDeps): ServiceImpl<typeof PaymentService> {
  const { store, processor, clock } = deps;

  /** The first payment of a key, provided the replay asks for the same amount. */
  const replay = (first: StoredPayment, amount: Amount): StoredPayment => {
    if (!sameAmount(first.amount, amount)) throw idempotencyConflict(first, amount);
    return first;
  };

  return {
    async charge(req) {
      const { idempotencyKey, amount, card } = parseChargeRequest(req, clock());
      // A replay never reaches the processor.
      const first = await store.findByIdempotencyKey(idempotencyKey);
      if (first !== undefined) return { payment: toPaymentMessage(replay(first, amount)) };

      const decision = await viaProcessor(() => processor.charge({ idempotencyKey, amount, card }));
      const now = new Date(clock());
      const outcome = await store.record({
        id: randomPaymentId(),
        idempotencyKey,
        amount,
        status: decision.status,
        cardBrand: cardBrand(card.number),
        cardLast4: cardLast4(card.number),
        declineReason: decision.status === "DECLINED" ? decision.declineReason : "",
        createTime: now,
        updateTime: now,
      });
      // A racing call with the same key recorded first: answer with its payment, like a replay.
      const payment = outcome.kind === "created" ? outcome.payment : replay(outcome.payment, amount);
      return { payment: toPaymentMessage(payment) };
    },

    async refund(req) {
      const v = new Violations();
      checkId(v, "payment_id", req.paymentId);
      v.throwIfAny();
      const payment = await store.findById(req.paymentId);
      if (payment === undefined) throw paymentNotFound(req.paymentId);
      if (payment.status === "REFUNDED") return { payment: toPaymentMessage(payment) };
      if (payment.status !== "CAPTURED") throw notRefundable(payment);
      await viaProcessor(() => processor.refund({ paymentId: payment.id, amount: payment.amount }));
      // A concurrent refund may have won the conditional update; the payment is REFUNDED all the same.
      const refunded = (await store.markRefunded(payment.id, new Date(clock()))) ?? (await store.findById(payment.id));
      if (refunded?.status !== "REFUNDED") {
        throw new Error(`payment ${payment.id} is ${refunded?.status ?? "gone"} right after its refund`);
      }
      return { payment: toPaymentMessage(refunded) };
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
