// Explicit mappings: stored documents ↔ StoredPayment ↔ shop.payment.v1.Payment. A protobuf
// message is never persisted (it carries $typeName and bigints).
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { PaymentSchema, PaymentStatus, type Payment } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { moneyFromAmount, safeMinor } from "@shopmesh/domain";
import type { ChargeOutcome, PaymentClaim, PaymentState, StoredPayment } from "./payment-store.js";

/**
 * One payment in the `payments` collection, as Charge records it before asking the processor:
 * status PENDING. Field names follow the contract's. `amount.cents` holds whole minor units of
 * the currency (cents for USD, the only currency orders are placed in); the key is kept so that
 * stored payments read as they were written. Payments recorded before outcomes had records of
 * their own carry their outcome here (CAPTURED, DECLINED or REFUNDED).
 */
export interface PaymentDocument {
  _id: string;
  idempotency_key: string;
  amount: { currency_code: string; cents: number };
  status: "PENDING" | "CAPTURED" | "DECLINED" | "REFUNDED";
  card_brand: string;
  card_last4: string;
  decline_reason: string;
  create_time: Date;
  update_time: Date;
}

/** The processor's decision on a key, in `payment_outcomes`; `_id` is the idempotency key. */
export interface OutcomeDocument {
  _id: string;
  payment_id: string;
  status: "CAPTURED" | "DECLINED";
  decline_reason: string;
  time: Date;
}

/** A refund, in `payment_refunds`; `_id` is the payment id. */
export interface RefundDocument {
  _id: string;
  idempotency_key: string;
  time: Date;
}

/** A void of a key, in `payment_voids`; `_id` is the idempotency key. */
export interface VoidDocument {
  _id: string;
  time: Date;
}

/** The records of one payment, as read from the four collections. */
export interface PaymentDocuments {
  readonly payment: PaymentDocument;
  readonly outcome: OutcomeDocument | null;
  readonly refund: RefundDocument | null;
  readonly void: VoidDocument | null;
}

const claimStates: ReadonlySet<string> = new Set(["PENDING", "CAPTURED", "DECLINED", "REFUNDED"]);
const outcomeStates: ReadonlySet<string> = new Set(["CAPTURED", "DECLINED"]);

export function documentFromClaim(claim: PaymentClaim): PaymentDocument {
  return {
    _id: claim.id,
    idempotency_key: claim.idempotencyKey,
    amount: { currency_code: claim.amount.currencyCode, cents: storedMinor(claim) },
    status: "PENDING",
    card_brand: claim.cardBrand,
    card_last4: claim.cardLast4,
    decline_reason: "",
    create_time: claim.createTime,
    update_time: claim.createTime,
  };
}

export function outcomeDocument(payment: PaymentClaim, outcome: ChargeOutcome, now: Date): OutcomeDocument {
  return {
    _id: payment.idempotencyKey,
    payment_id: payment.id,
    status: outcome.status,
    decline_reason: outcome.status === "DECLINED" ? outcome.declineReason : "",
    time: now,
  };
}

/** The payment its records make: the first outcome counts, then a refund; a void settles only a PENDING one. */
export function paymentFromDocuments(docs: PaymentDocuments): StoredPayment {
  const { payment: doc, outcome, refund } = docs;
  // A document this code did not write is a bug to surface (INTERNAL), not a status to guess.
  if (!claimStates.has(doc.status)) throw new Error(`payment ${doc._id} has unknown status ${JSON.stringify(doc.status)}`);
  if (outcome !== null && !outcomeStates.has(outcome.status)) {
    throw new Error(`payment ${doc._id} has an outcome of unknown status ${JSON.stringify(outcome.status)}`);
  }
  const legacy = doc.status === "PENDING" ? undefined : doc;
  const decided = outcome?.status ?? (legacy?.status === "REFUNDED" ? "CAPTURED" : legacy?.status);
  const refunded = decided === "CAPTURED" && (refund !== null || legacy?.status === "REFUNDED");
  const [status, updateTime]: [PaymentState, Date] =
    decided === undefined
      ? docs.void === null
        ? ["PENDING", doc.update_time]
        : ["VOIDED", docs.void.time]
      : refunded
        ? ["REFUNDED", refund?.time ?? doc.update_time]
        : [decided, outcome?.time ?? doc.update_time];
  return {
    id: doc._id,
    idempotencyKey: doc.idempotency_key,
    amount: { currencyCode: doc.amount.currency_code, minor: BigInt(doc.amount.cents) },
    status,
    cardBrand: doc.card_brand,
    cardLast4: doc.card_last4,
    declineReason: status === "DECLINED" ? (outcome?.decline_reason ?? doc.decline_reason) : "",
    voided: docs.void !== null,
    createTime: doc.create_time,
    updateTime,
  };
}

const statusMessages: Record<PaymentState, PaymentStatus> = {
  PENDING: PaymentStatus.PENDING,
  CAPTURED: PaymentStatus.CAPTURED,
  DECLINED: PaymentStatus.DECLINED,
  REFUNDED: PaymentStatus.REFUNDED,
  VOIDED: PaymentStatus.VOIDED,
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
function storedMinor(payment: PaymentClaim): number {
  const minor = safeMinor(payment.amount);
  if (minor === undefined) throw new RangeError(`payment ${payment.id}: amount beyond a safe integer of minor units`);
  return minor;
}
