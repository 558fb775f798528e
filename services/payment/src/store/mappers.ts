// Explicit mappings: stored document ↔ StoredPayment ↔ shop.payment.v1.Payment. A protobuf
// message is never persisted (it carries $typeName and bigints).
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { PaymentSchema, PaymentStatus, type Payment } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { moneyFromAmount, safeMinor } from "@shopmesh/domain";
import type { PaymentState, StoredPayment } from "./payment-store.js";

/**
 * One payment in the `payments` collection. Field names follow the contract's. `amount.cents`
 * holds whole minor units of the currency (cents for USD, the only currency orders are placed
 * in); the key is kept so that stored payments read as they were written.
 */
export interface PaymentDocument {
  _id: string;
  idempotency_key: string;
  amount: { currency_code: string; cents: number };
  status: PaymentState;
  card_brand: string;
  card_last4: string;
  decline_reason: string;
  create_time: Date;
  update_time: Date;
}

const states: ReadonlySet<string> = new Set<PaymentState>(["CAPTURED", "DECLINED", "REFUNDED"]);

export function documentFromPayment(payment: StoredPayment): PaymentDocument {
  return {
    _id: payment.id,
    idempotency_key: payment.idempotencyKey,
    amount: { currency_code: payment.amount.currencyCode, cents: storedMinor(payment) },
    status: payment.status,
    card_brand: payment.cardBrand,
    card_last4: payment.cardLast4,
    decline_reason: payment.declineReason,
    create_time: payment.createTime,
    update_time: payment.updateTime,
  };
}

export function paymentFromDocument(doc: PaymentDocument): StoredPayment {
  // A document this code did not write is a bug to surface (INTERNAL), not a status to guess.
  if (!states.has(doc.status)) throw new Error(`payment ${doc._id} has unknown status ${JSON.stringify(doc.status)}`);
  return {
    id: doc._id,
    idempotencyKey: doc.idempotency_key,
    amount: { currencyCode: doc.amount.currency_code, minor: BigInt(doc.amount.cents) },
    status: doc.status,
    cardBrand: doc.card_brand,
    cardLast4: doc.card_last4,
    declineReason: doc.decline_reason,
    createTime: doc.create_time,
    updateTime: doc.update_time,
  };
}

const statusMessages: Record<PaymentState, PaymentStatus> = {
  CAPTURED: PaymentStatus.CAPTURED,
  DECLINED: PaymentStatus.DECLINED,
  REFUNDED: PaymentStatus.REFUNDED,
};

export function toPaymentMessage(payment: StoredPayment): Payment {
  return create(PaymentSchema, {
    id: payment.id,
    idempotencyKey: payment.idempotencyKey,
    amount: moneyFromAmount(payment.amount),
    status: statusMessages[payment.status],
    cardBrand: payment.cardBrand,
    cardLast4: payment.cardLast4,
    declineReason: payment.status === "DECLINED" ? payment.declineReason : "",
    createTime: timestampFromDate(payment.createTime),
    updateTime: timestampFromDate(payment.updateTime),
  });
}

/** The amount's minor units as the document keeps them; validation admits only amounts that fit. */
function storedMinor(payment: StoredPayment): number {
  const minor = safeMinor(payment.amount);
  if (minor === undefined) throw new RangeError(`payment ${payment.id}: amount beyond a safe integer of minor units`);
  return minor;
}
