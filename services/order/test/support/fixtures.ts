// Test data and small helpers over a running shop: users, products with stock, carts, orders.
import { randomUUID } from "node:crypto";
import { Code, type ConnectError } from "@connectrpc/connect";
import type { NotificationKind } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderState, type Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { allOrdersOf, asUser, eventually } from "@shopmesh/testkit";
import type { Ledger } from "./invariants.js";
import type { Shop } from "./shop.js";

let counter = 0;
const runTag = randomUUID().slice(0, 6).toUpperCase();

/** A user id no other test uses. */
export function newUser(): string {
  counter++;
  return `u-${runTag.toLowerCase()}-${counter}`;
}

export function newRequestId(): string {
  return randomUUID();
}

export interface TestProduct {
  readonly id: string;
  readonly sku: string;
  readonly priceCents: number;
}

/** A new catalog product with `stock` units available (recorded in the ledger). */
export async function newProduct(shop: Shop, ledger: Ledger, priceCents: number, stock: number): Promise<TestProduct> {
  counter++;
  const sku = `T${runTag}-${counter}`;
  const { product } = await shop.clients.catalog.upsertProduct({
    product: {
      sku,
      name: `Test product ${counter}`,
      price: { currencyCode: "USD", units: BigInt(Math.trunc(priceCents / 100)), nanos: (priceCents % 100) * 10_000_000 },
    },
  });
  if (product === undefined) throw new Error("UpsertProduct returned no product");
  await ledger.setStock(sku, stock);
  return { id: product.id, sku, priceCents };
}

/** Puts `items` into `userId`'s cart. */
export async function fillCart(shop: Shop, userId: string, items: readonly { product: TestProduct; quantity: number }[]): Promise<void> {
  for (const { product, quantity } of items) {
    await shop.clients.cart.addItem({ productId: product.id, quantity }, asUser(userId));
  }
}

/** All of `userId`'s orders, every page. */
export function allOrders(shop: Shop, userId: string): Promise<Order[]> {
  return allOrdersOf(shop.clients.order, asUser(userId));
}

/** The user's only order, once it is in a final state (CONFIRMED or CANCELLED). */
export async function finalOrderOf(shop: Shop, userId: string, timeoutMs = 10_000): Promise<Order> {
  return eventually(
    async () => {
      const orders = await allOrders(shop, userId);
      if (orders.length !== 1) throw new Error(`${userId} has ${orders.length} orders`);
      const order = orders[0] as Order;
      return order.state === OrderState.CONFIRMED || order.state === OrderState.CANCELLED ? order : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `an order of ${userId} reaching a final state` },
  );
}

/** The kinds of notification `userId` received that mention `orderId`. */
export async function notificationKinds(shop: Shop, userId: string, orderId: string): Promise<NotificationKind[]> {
  const { notifications } = await shop.clients.notification.listNotifications({ pageSize: 100 }, asUser(userId));
  return notifications.filter((n) => n.text.includes(orderId)).map((n) => n.kind);
}

export const isUnavailable = (err: ConnectError): boolean => err.code === Code.Unavailable;
