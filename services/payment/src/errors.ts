// The contract's errors, built in one place: what the client sees for a missing payment, a key
// reused with another amount, a voided key, a payment that cannot be refunded, a processor that is down.
import { Code, ConnectError } from "@connectrpc/connect";
import { PreconditionFailureSchema, ResourceInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { ProcessorUnavailableError } from "./card-processor.js";
import { formatAmount, type Amount } from "@shopmesh/domain";
import type { StoredPayment } from "./store/payment-store.js";

const paymentType = "shop.payment.v1.Payment";

export function paymentNotFound(id: string): ConnectError {
  return new ConnectError(`payment ${id} not found`, Code.NotFound, undefined, [
    {
      desc: ResourceInfoSchema,
      value: { resourceType: paymentType, resourceName: `payment/${id}`, description: "no payment has this id" },
    },
  ]);
}

export function idempotencyKeyNotFound(key: string): ConnectError {
  return new ConnectError(`no payment with idempotency key ${key}`, Code.NotFound, undefined, [
    {
      desc: ResourceInfoSchema,
      value: { resourceType: paymentType, resourceName: `idempotency_key/${key}`, description: "no payment was charged with this key" },
    },
  ]);
}

export function idempotencyConflict(existing: StoredPayment, requested: Amount): ConnectError {
  const description = `payment ${existing.id} was charged with this key for ${formatAmount(existing.amount)}, not ${formatAmount(requested)}`;
  return new ConnectError(
    `idempotency key ${existing.idempotencyKey} was already used with a different amount: ${description}`,
    Code.FailedPrecondition,
    undefined,
    [
      {
        desc: PreconditionFailureSchema,
        value: { violations: [{ type: "IDEMPOTENCY", subject: `idempotency_key/${existing.idempotencyKey}`, description }] },
      },
    ],
  );
}

/** Charge of a key VoidCharge voided: nothing is (or stays) charged. */
export function chargeVoided(key: string): ConnectError {
  const description = "the charge of this key was voided; charge again with a new key";
  return new ConnectError(`idempotency key ${key} was voided: nothing was charged`, Code.FailedPrecondition, undefined, [
    { desc: PreconditionFailureSchema, value: { violations: [{ type: "VOIDED", subject: `idempotency_key/${key}`, description }] } },
  ]);
}

export function notRefundable(payment: StoredPayment): ConnectError {
  const description =
    payment.status === "PENDING"
      ? "payment is PENDING: its outcome is not known yet; void it by its idempotency key instead"
      : `payment is ${payment.status}; only a CAPTURED payment can be refunded`;
  return new ConnectError(`payment ${payment.id} cannot be refunded: ${description}`, Code.FailedPrecondition, undefined, [
    { desc: PreconditionFailureSchema, value: { violations: [{ type: "STATE", subject: `payment/${payment.id}`, description }] } },
  ]);
}

/** Runs a processor call; its outage becomes UNAVAILABLE (nothing happened: retry is safe). */
export async function viaProcessor<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ProcessorUnavailableError) {
      throw new ConnectError(
        "the card processor is unavailable; try again shortly with the same key",
        Code.Unavailable,
        undefined,
        undefined,
        err,
      );
    }
    throw err;
  }
}
