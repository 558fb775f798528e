// The order saga's invariants, checked over everything a test file did, whether the shop runs as
// real processes, behind the mesh, or as fakes in the test's own process. Precisely:
//
// Orders (every order `orders()` returns): each reaches a final state within `timeoutMs`; its
// total is subtotal + shipping, its subtotal the sum of its lines, each line unit price x quantity.
// - CONFIRMED: the payment with the order id as idempotency key (the payment service keeps one
//   per key) is CAPTURED for the order's total with the order's payment id (no payment needed
//   when the total is 0); the order's shipment (GetShipment by order id) exists, is the order's,
//   and has the order's shipment and tracking ids, and is CREATED.
// - CANCELLED: it has a cancel reason; its payment, if any, is DECLINED, VOIDED or REFUNDED; its
//   shipment, if any, is CANCELLED (a CreateShipment that landed after the order voided it).
//
// Stock (every SKU `stocked()` returns, with the quantity it was given while nothing was reserved):
//   available + reserved + committed == the quantity given, and reserved == 0,
// where committed is the SKU's quantity summed over CONFIRMED orders. reserved == 0 once every
// order is final means no reservation is left HELD: a CANCELLED order's was released (or never
// made), a CONFIRMED order's committed. (Inventory has no RPC to read a reservation.)
//
// Events (when the world has them, within `timeoutMs`): every final order's user has exactly one
// notification about it, of its final state's kind (each order publishes one event, consumed at
// least once, applied once), and every stocked SKU's `sold` equals its committed quantity.
import { Code, ConnectError, type CallOptions, type Client } from "@connectrpc/connect";
import type { Money } from "@shopmesh/gen/google/type/money_pb.js";
import type { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { NotificationKind, type Notification } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderState, type Order, type OrderService } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { PaymentStatus, type PaymentService } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { ShipmentStatus, type ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { eventually } from "./eventually.js";

/** How the check reaches the shop under test: the orders it covers, the stock it set, and the services. */
export interface SagaWorld {
  /** Every order the check covers, e.g. every order of each user the test file created. */
  orders(): Promise<Order[]>;
  /** Each SKU the check covers, with the quantity it was stocked with while nothing was reserved. */
  stocked(): Promise<ReadonlyMap<string, number>>;
  readonly payment: Pick<Client<typeof PaymentService>, "getPayment">;
  readonly shipping: Pick<Client<typeof ShippingService>, "getShipment">;
  readonly inventory: Pick<Client<typeof InventoryService>, "getStock">;
  /** The user's notifications, when the world runs the notification service on the order events. */
  readonly notificationsOf?: (userId: string) => Promise<readonly Notification[]>;
}

export interface SagaInvariantOptions {
  /** How long orders may take to become final (recovery may still be finishing one); 10 s by default. */
  readonly timeoutMs?: number;
}

/** Waits for every order to be final, then throws one error listing every broken invariant. */
export async function checkSagaInvariants(world: SagaWorld, options: SagaInvariantOptions = {}): Promise<void> {
  const { timeoutMs = 10_000 } = options;
  const orders = await eventually(
    async () => {
      const all = await world.orders();
      const open = all.filter((o) => o.state !== OrderState.CONFIRMED && o.state !== OrderState.CANCELLED);
      if (open.length > 0) throw new Error(`not final: ${open.map((o) => `${o.id} ${OrderState[o.state]}`).join(", ")}`);
      return all;
    },
    { timeoutMs, intervalMs: 100, what: "every order final" },
  );

  const problems: string[] = [];
  for (const order of orders) problems.push(...(await orderProblems(world, order)));

  const committed = new Map<string, number>();
  for (const order of orders.filter((o) => o.state === OrderState.CONFIRMED)) {
    for (const line of order.lines) committed.set(line.sku, (committed.get(line.sku) ?? 0) + line.quantity);
  }
  for (const [sku, quantity] of await world.stocked()) {
    const { stock } = await world.inventory.getStock({ sku });
    const available = stock?.available ?? NaN;
    const reserved = stock?.reserved ?? NaN;
    const sold = committed.get(sku) ?? 0;
    if (available + reserved + sold !== quantity) {
      problems.push(`${sku}: available ${available} + reserved ${reserved} + committed ${sold} != ${quantity} stocked`);
    }
    if (reserved !== 0) problems.push(`${sku}: ${reserved} units still reserved though every order is final`);
  }
  if (world.notificationsOf !== undefined)
    problems.push(...(await eventProblems(world, world.notificationsOf, orders, committed, timeoutMs)));
  if (problems.length > 0) throw new Error(`invariants broken:\n  ${problems.join("\n  ")}`);
}

/**
 * What the order events should have done by now: one notification per final order, and `sold`
 * per SKU as committed. Events are applied moments after the order ends, so each is waited for.
 */
async function eventProblems(
  world: SagaWorld,
  notificationsOf: (userId: string) => Promise<readonly Notification[]>,
  orders: readonly Order[],
  committed: ReadonlyMap<string, number>,
  timeoutMs: number,
): Promise<string[]> {
  const expected = (order: Order) =>
    order.state === OrderState.CONFIRMED ? NotificationKind.ORDER_CONFIRMED : NotificationKind.ORDER_CANCELLED;
  const notificationProblems = async (): Promise<string[]> => {
    const problems: string[] = [];
    for (const order of orders) {
      const about = (await notificationsOf(order.userId)).filter((n) => n.text.includes(order.id));
      if (about.length !== 1 || about[0]?.kind !== expected(order)) {
        const got = about.map((n) => NotificationKind[n.kind]).join(", ") || "none";
        problems.push(`order ${order.id} (${OrderState[order.state]}): notifications ${got}, not one ${NotificationKind[expected(order)]}`);
      }
    }
    return problems;
  };
  const soldProblems = async (): Promise<string[]> => {
    const problems: string[] = [];
    for (const [sku] of await world.stocked()) {
      const { stock } = await world.inventory.getStock({ sku });
      const sold = committed.get(sku) ?? 0;
      if (stock?.sold !== sold) problems.push(`${sku}: sold ${stock?.sold} != ${sold} committed`);
    }
    return problems;
  };
  const settle = async (check: () => Promise<string[]>): Promise<string[]> => {
    // A missing one may still arrive; a second one never goes away again.
    try {
      return await eventually(async () => ((await check()).length === 0 ? [] : undefined), { timeoutMs, intervalMs: 200, what: "events" });
    } catch {
      return check();
    }
  };
  return [...(await settle(notificationProblems)), ...(await settle(soldProblems))];
}

/** Every order `orders` lists for the caller `options` names, all pages. */
export async function allOrdersOf(orders: Pick<Client<typeof OrderService>, "listOrders">, options: CallOptions): Promise<Order[]> {
  const all: Order[] = [];
  let pageToken = "";
  do {
    const page = await orders.listOrders({ pageSize: 100, pageToken }, options);
    all.push(...page.orders);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return all;
}

/** What a cancelled order's payment may be: nothing of it stays charged. */
const settledUncharged: ReadonlySet<PaymentStatus> = new Set([PaymentStatus.DECLINED, PaymentStatus.VOIDED, PaymentStatus.REFUNDED]);

const cents = (money: Money | undefined): number => (money === undefined ? NaN : Number(money.units) * 100 + money.nanos / 10_000_000);

async function orNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ConnectError && err.code === Code.NotFound) return undefined;
    throw err;
  }
}

async function orderProblems(world: SagaWorld, order: Order): Promise<string[]> {
  const problems: string[] = [];
  const label = `order ${order.id} (${OrderState[order.state]})`;
  const lineSum = order.lines.reduce((sum, l) => sum + cents(l.lineTotal), 0);
  for (const line of order.lines) {
    if (cents(line.lineTotal) !== cents(line.unitPrice) * line.quantity) {
      problems.push(`${label}: line ${line.sku} total is not price x quantity`);
    }
  }
  if (cents(order.subtotal) !== lineSum) problems.push(`${label}: subtotal ${cents(order.subtotal)} != sum of lines ${lineSum}`);
  if (cents(order.total) !== cents(order.subtotal) + cents(order.shippingCost)) problems.push(`${label}: total is not subtotal + shipping`);

  const pay = (await orNotFound(world.payment.getPayment({ lookup: { case: "idempotencyKey", value: order.id } })))?.payment;
  const shipment = (await orNotFound(world.shipping.getShipment({ lookup: { case: "orderId", value: order.id } })))?.shipment;
  if (order.state === OrderState.CONFIRMED) {
    if (cents(order.total) > 0) {
      if (pay === undefined) problems.push(`${label}: no payment`);
      else {
        if (pay.status !== PaymentStatus.CAPTURED) problems.push(`${label}: payment is ${PaymentStatus[pay.status]}, not CAPTURED`);
        if (pay.id !== order.paymentId) problems.push(`${label}: payment id ${pay.id} != order's ${order.paymentId}`);
        if (cents(pay.amount) !== cents(order.total)) {
          problems.push(`${label}: charged ${cents(pay.amount)} != total ${cents(order.total)}`);
        }
      }
    }
    if (shipment === undefined) problems.push(`${label}: no shipment`);
    else if (shipment.status !== ShipmentStatus.CREATED) problems.push(`${label}: shipment is ${ShipmentStatus[shipment.status]}`);
    else if (shipment.orderId !== order.id || shipment.id !== order.shipmentId || shipment.trackingId !== order.trackingId) {
      const got = `${shipment.id}/${shipment.trackingId} of order ${shipment.orderId}`;
      problems.push(`${label}: shipment ${got} != order's ${order.shipmentId}/${order.trackingId}`);
    }
  } else {
    if (pay !== undefined && !settledUncharged.has(pay.status)) {
      problems.push(`${label}: payment ${pay.id} is ${PaymentStatus[pay.status]}, not DECLINED, VOIDED or REFUNDED`);
    }
    if (shipment !== undefined && shipment.status !== ShipmentStatus.CANCELLED) {
      problems.push(`${label}: has shipment ${shipment.id} in force (${ShipmentStatus[shipment.status]})`);
    }
    if (order.cancelReason === "") problems.push(`${label}: no cancel_reason`);
  }
  return problems;
}
