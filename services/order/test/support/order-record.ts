// Order records for store tests: PENDING, unleased, with a lease that ran out a minute ago.
import { orderIdFor, type OrderRecord } from "../../src/order.js";

let n = 0;

const past = new Date(Date.now() - 60_000);

/**
 * A new record with a fresh request id, created after every earlier one, with `patch` on top; its
 * id is its user's and request id's unless `patch` sets one.
 */
export function orderRecord(patch: Partial<OrderRecord> = {}): OrderRecord {
  n++;
  const now = new Date(Date.now() + n); // distinct create times, increasing
  const userId = patch.userId ?? "u-1";
  const requestId = patch.requestId ?? `req-${n}`;
  return {
    id: orderIdFor(userId, requestId),
    userId,
    requestId,
    state: "PENDING",
    lines: [{ productId: "p-1", sku: "MUG-1", name: "Mug", quantity: 2, unitPriceMinor: 1250, lineTotalMinor: 2500 }],
    currency: "USD",
    subtotalMinor: 2500,
    shippingMinor: 699,
    totalMinor: 3199,
    address: { recipientName: "Ada", streetLines: ["1 Market St"], city: "SF", postalCode: "94103", regionCode: "US" },
    paymentId: "",
    shipmentId: "",
    trackingId: "",
    cancelRequested: false,
    cancelReason: "",
    refunded: false,
    released: false,
    committed: false,
    cartEmptied: false,
    createTime: now,
    updateTime: now,
    leaseOwner: null,
    leaseUntil: past,
    attempts: 0,
    ...patch,
  };
}
