// What the payment service needs from its store. Expected outcomes (an existing key, a payment
// that is not CAPTURED) are results; an unreachable store is a thrown UNAVAILABLE ConnectError.
import type { Probe } from "@shopmesh/kit";
import type { Amount } from "@shopmesh/domain";

export type PaymentState = "CAPTURED" | "DECLINED" | "REFUNDED";

/** A payment as the service keeps it: never the card number, expiry or CVC. */
export interface StoredPayment {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly amount: Amount;
  readonly status: PaymentState;
  readonly cardBrand: string;
  readonly cardLast4: string;
  /** "" unless DECLINED. */
  readonly declineReason: string;
  readonly createTime: Date;
  readonly updateTime: Date;
}

export type RecordOutcome =
  | { readonly kind: "created"; readonly payment: StoredPayment }
  /** A payment with the same idempotency key was there first; it is left unchanged. */
  | { readonly kind: "exists"; readonly payment: StoredPayment };

export interface PaymentStore {
  /** Fails when the store does not answer; for grpc.health.v1. */
  readonly probe: Probe;
  findById(id: string): Promise<StoredPayment | undefined>;
  findByIdempotencyKey(key: string): Promise<StoredPayment | undefined>;
  /** Records `payment` unless its idempotency key is taken; atomic, so racing calls agree. */
  record(payment: StoredPayment): Promise<RecordOutcome>;
  /**
   * CAPTURED → REFUNDED as one conditional update. The refunded payment, or undefined when
   * payment `id` does not exist or is not CAPTURED (any more).
   */
  markRefunded(id: string, now: Date): Promise<StoredPayment | undefined>;
}
