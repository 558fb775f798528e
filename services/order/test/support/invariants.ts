// The saga's invariants, checked against the real services after every saga test. Precisely:
//
// Orders (every order of every user the test file created): each reaches a final state within a
// few seconds; its total is subtotal + shipping, its subtotal the sum of unit price x quantity.
// - CONFIRMED: exactly one payment has the order id as idempotency key (the payment service keeps
//   one per key) and it is CAPTURED for the order's total with the order's payment id (no payment
//   when the total is 0); the order's shipment (GetShipment by order id) exists with the order's
//   shipment and tracking ids.
// - CANCELLED: the payment of the order, if any, is DECLINED or REFUNDED (never CAPTURED); there
//   is no shipment.
//
// Stock (every SKU the test file stocked with one SetStock while nothing was reserved):
//   available + reserved + committed == the quantity set, and reserved == 0,
// where committed is the sum of the SKU's quantities over CONFIRMED orders. reserved == 0 once
// every order is final means no reservation is left HELD: a CANCELLED order's was released (or
// never made), a CONFIRMED order's committed. (Inventory has no RPC to read a reservation, so
// this is how HELD reservations are seen.)
import { Code, ConnectError } from "@connectrpc/connect";
import type { Money } from "@shopmesh/gen/google/type/money_pb.js";
import { OrderState, type Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { PaymentStatus } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import type { Shop } from "./shop.js";
import { allOrders, newUser } from "./fixtures.js";

export interface Ledger {
  /** SetStock `available` on a SKU the test file has not stocked before, and remember it. */
  setStock(sku: string, available: number): Promise<void>;
  /** A new user whose orders the check covers. */
  user(): string;
  /** Waits for every order to be final, then throws one error listing every broken invariant. */
  check(timeoutMs?: number): Promise<void>;
}

const cents = (money: Money | undefined): number => (money === undefined ? NaN : Number(money.units) * 100 + money.nanos / 10_000_000);

async function orNotFound<T>(call: Promise<T>): Promise<T | "not found"> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ConnectError && err.code === Code.NotFound) return "not found";
    throw err;
  }
}

export function createLedger(shop: Shop): Ledger {
  const stockSet = new Map<string, number>();
  const users = new Set<string>();
  const { payment, shipping, inventory } = shop.clients;

  const checkOrder = async (order: Order, problems: string[]): Promise<void> => {
    const label = `order ${order.id} (${OrderState[order.state]})`;
    const lineSum = order.lines.reduce((sum, l) => sum + cents(l.lineTotal), 0);
    for (const line of order.lines) {
      if (cents(line.lineTotal) !== cents(line.unitPrice) * line.quantity) problems.push(`${label}: line ${line.sku} total is not price x quantity`);
    }
    if (cents(order.subtotal) !== lineSum) problems.push(`${label}: subtotal ${cents(order.subtotal)} != sum of lines ${lineSum}`);
    if (cents(order.total) !== cents(order.subtotal) + cents(order.shippingCost)) problems.push(`${label}: total is not subtotal + shipping`);

    const found = await orNotFound(payment.getPayment({ lookup: { case: "idempotencyKey", value: order.id } }));
    const pay = found === "not found" ? undefined : found.payment;
    const shipment = await orNotFound(shipping.getShipment({ lookup: { case: "orderId", value: order.id } }));
    if (order.state === OrderState.CONFIRMED) {
      if (cents(order.total) > 0) {
        if (pay === undefined) problems.push(`${label}: no payment`);
        else {
          if (pay.status !== PaymentStatus.CAPTURED) problems.push(`${label}: payment is ${PaymentStatus[pay.status]}, not CAPTURED`);
          if (pay.id !== order.paymentId) problems.push(`${label}: payment id ${pay.id} != order's ${order.paymentId}`);
          if (cents(pay.amount) !== cents(order.total)) problems.push(`${label}: charged ${cents(pay.amount)} != total ${cents(order.total)}`);
        }
      }
      if (shipment === "not found") problems.push(`${label}: no shipment`);
      else if (shipment.shipment?.id !== order.shipmentId || shipment.shipment.trackingId !== order.trackingId) {
        problems.push(`${label}: shipment ${shipment.shipment?.id}/${shipment.shipment?.trackingId} != order's ${order.shipmentId}/${order.trackingId}`);
      }
    } else if (order.state === OrderState.CANCELLED) {
      if (pay !== undefined && pay.status === PaymentStatus.CAPTURED) problems.push(`${label}: payment ${pay.id} is CAPTURED and not refunded`);
      if (shipment !== "not found") problems.push(`${label}: has shipment ${shipment.shipment?.id}`);
      if (order.cancelReason === "") problems.push(`${label}: no cancel_reason`);
    } else {
      problems.push(`${label}: not final`);
    }
  };

  return {
    async setStock(sku, available) {
      if (stockSet.has(sku)) throw new Error(`${sku} was stocked before; the ledger takes one SetStock per SKU`);
      await inventory.setStock({ sku, available });
      stockSet.set(sku, available);
    },

    user() {
      const id = newUser();
      users.add(id);
      return id;
    },

    async check(timeoutMs = 10_000) {
      // Every order final first (recovery may still be finishing one).
      const deadline = Date.now() + timeoutMs;
      let orders: Order[] = [];
      for (;;) {
        orders = (await Promise.all([...users].map((u) => allOrders(shop, u)))).flat();
        const open = orders.filter((o) => o.state !== OrderState.CONFIRMED && o.state !== OrderState.CANCELLED);
        if (open.length === 0) break;
        if (Date.now() > deadline) {
          throw new Error(`orders not final after ${timeoutMs} ms: ${open.map((o) => `${o.id} ${OrderState[o.state]}`).join(", ")}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }

      const problems: string[] = [];
      for (const order of orders) await checkOrder(order, problems);

      const committed = new Map<string, number>();
      for (const order of orders.filter((o) => o.state === OrderState.CONFIRMED)) {
        for (const line of order.lines) committed.set(line.sku, (committed.get(line.sku) ?? 0) + line.quantity);
      }
      for (const [sku, set] of stockSet) {
        const { stock } = await inventory.getStock({ sku });
        const available = stock?.available ?? NaN;
        const reserved = stock?.reserved ?? NaN;
        const sold = committed.get(sku) ?? 0;
        if (available + reserved + sold !== set) {
          problems.push(`${sku}: available ${available} + reserved ${reserved} + committed ${sold} != ${set} set`);
        }
        if (reserved !== 0) problems.push(`${sku}: ${reserved} units still reserved though every order is final`);
      }
      if (problems.length > 0) throw new Error(`invariants broken:\n  ${problems.join("\n  ")}`);
    },
  };
}
