// A shipment's id is made of its order's id. An order has at most one shipment, so the shipment of
// an order is found by `_id`, the only key FerretDB on SQLite looks up without reading the whole
// collection. The Go service (services/shipping-go, ids.go) makes the same ids: either may serve
// a store the other wrote.
import { createHash } from "node:crypto";

/** A UUID (version 8, RFC 9562) of the first 16 bytes of the order id's SHA-256. */
export function shipmentIdFor(orderId: string): string {
  const b = createHash("sha256").update(orderId).digest().subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
