// A payment's id is made of its idempotency key. A key has at most one payment, so the payment
// of a key is found by `_id`, the only key FerretDB on SQLite looks up without reading the whole
// collection.
import { createHash } from "node:crypto";

/** "pay_" and 32 hex digits of the key's SHA-256: opaque and well within the contract's 64 characters. */
export function paymentIdFor(idempotencyKey: string): string {
  return `pay_${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32)}`;
}
