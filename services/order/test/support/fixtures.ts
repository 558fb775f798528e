// Test data and small helpers over a running shop: users, products with stock, carts, cards.
import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { NotificationKind } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderState, type Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { identityHeader } from "@shopmesh/kit";
import type { Ledger } from "./invariants.js";
import type { Shop } from "./shop.js";

export const cards = {
  good: { number: "4242 4242 4242 4242", expMonth: 12, expYear: 2099, cvc: "123" },
  declined: { number: "4000 0000 0000 0002", expMonth: 12, expYear: 2099, cvc: "123" },
  processorDown: { number: "4000 0000 0000 0119", expMonth: 12, expYear: 2099, cvc: "123" },
} as const;

export const usAddress: { recipientName: string; streetLines: string[]; city: string; postalCode: string; regionCode: string } = {
  recipientName: "Ada Lovelace",
  streetLines: ["1 Market St", "Apt 2"],
  city: "San Francisco",
  postalCode: "94103",
  regionCode: "US",
};

export const asUser = (userId: string) => ({ headers: { [identityHeader]: userId } });

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

export { rejection } from "@shopmesh/testkit";

export function preconditionViolations(err: ConnectError) {
  return err.findDetails(PreconditionFailureSchema).flatMap((d) => d.violations.map((v) => ({ type: v.type, subject: v.subject, description: v.description })));
}

export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} not met within ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** All of `userId`'s orders, every page. */
export async function allOrders(shop: Shop, userId: string): Promise<Order[]> {
  const orders: Order[] = [];
  let pageToken = "";
  do {
    const page = await shop.clients.order.listOrders({ pageSize: 100, pageToken }, asUser(userId));
    orders.push(...page.orders);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return orders;
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
    timeoutMs,
    `an order of ${userId} reaching a final state`,
  );
}

/** The kinds of notification `userId` received that mention `orderId`. */
export async function notificationKinds(shop: Shop, userId: string, orderId: string): Promise<NotificationKind[]> {
  const { notifications } = await shop.clients.notification.listNotifications({ pageSize: 100 }, asUser(userId));
  return notifications.filter((n) => n.text.includes(orderId)).map((n) => n.kind);
}

export const isUnavailable = (err: ConnectError): boolean => err.code === Code.Unavailable;
