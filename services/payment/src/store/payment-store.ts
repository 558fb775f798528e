// What the payment service needs from its store. Every fact about a payment is one record,
// inserted under a unique key and never updated: the payment asked for (by idempotency key), its
// outcome (by key), its refund (by payment id) and a void of its key. The first insert of a
// record wins; a later one learns what is there. That is what keeps several replicas, racing on
// one key, in agreement (FerretDB applies a conditional update as read-then-write, so none is
// used). An unreachable store is a thrown UNAVAILABLE ConnectError.
import type { Probe } from "@shopmesh/kit";
import type { Amount } from "@shopmesh/domain";

export type PaymentState = "PENDING" | "CAPTURED" | "DECLINED" | "REFUNDED" | "VOIDED";

/** What Charge records before it asks the processor. Never the card number, expiry or CVC. */
export interface PaymentClaim {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly amount: Amount;
  readonly cardBrand: string;
  readonly cardLast4: string;
  readonly createTime: Date;
}

/** What the processor decided. */
export type ChargeOutcome = { readonly status: "CAPTURED" } | { readonly status: "DECLINED"; readonly declineReason: string };

/** A payment as its records make it. */
export interface StoredPayment extends PaymentClaim {
  readonly status: PaymentState;
  /** "" unless DECLINED. */
  readonly declineReason: string;
  /** Whether its key was voided (VoidCharge); a CAPTURED payment of a voided key is to be refunded. */
  readonly voided: boolean;
  readonly updateTime: Date;
}

export type ClaimOutcome =
  | { readonly kind: "created"; readonly payment: StoredPayment }
  /** A payment with the same idempotency key was there first; it is left unchanged. */
  | { readonly kind: "exists"; readonly payment: StoredPayment };

export interface PaymentStore {
  /** Fails when the store does not answer; for grpc.health.v1. */
  readonly probe: Probe;
  findById(id: string): Promise<StoredPayment | undefined>;
  /** The key's payment; undefined also for a key voided before any Charge. */
  findByIdempotencyKey(key: string): Promise<StoredPayment | undefined>;
  /** Records `claim` unless its key has a payment; the key's payment as it stands after either. */
  claim(claim: PaymentClaim): Promise<ClaimOutcome>;
  /** Records the outcome of `payment` unless one is recorded; the payment as it stands after (the first outcome). */
  recordOutcome(payment: StoredPayment, outcome: ChargeOutcome, now: Date): Promise<StoredPayment>;
  /** Records the refund of `payment` unless one is recorded; the payment as it stands after. */
  recordRefund(payment: StoredPayment, now: Date): Promise<StoredPayment>;
  /** Records the void of `key` unless one is recorded (with or without a payment of that key). */
  recordVoid(key: string, now: Date): Promise<void>;
}
