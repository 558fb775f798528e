// Two order processes on one orders database, both running their recovery loops, with every other
// service a real process too. Orders are placed through both while one of them is SIGKILLed at each
// point of the saga in turn and started again: the orders it drops are finished by whichever
// replica's recovery takes them first, while the other replica goes on placing its own, and a
// customer cancels one dropped order a round through the surviving replica, racing both recovery
// loops for it. Afterwards every order is final and the saga's invariants hold (support/invariants.ts);
// the orders placed through the replica that was never killed were all confirmed in their own call,
// and every CancelOrder's answer agrees with how its order ended.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { OrderState, type Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { allOrdersOf, asUser, healthClient, testAddress, testCards, type TestCard } from "@shopmesh/testkit";
import { fillCart, newProduct, newRequestId, type TestProduct } from "./support/fixtures.js";
import { createLedger, type Ledger } from "./support/invariants.js";
import { startOrderReplica, type OrderReplica } from "./support/order-replica.js";
import { startOrderShop, type Shop } from "./support/shop.js";

let shop: Shop;
let ledger: Ledger;
let replica: OrderReplica;

// Replicas share the page token key, as the README asks of every deployment with more than one.
const pageTokenSecret = "order-replicas-test-page-token-secret-0123456789";

beforeAll(async () => {
  shop = await startOrderShop({ orderEnv: { PAGE_TOKEN_SECRET: pageTokenSecret } });
  ledger = createLedger(shop);
  replica = await startOrderReplica(shop);
}, 90_000);

afterAll(async () => {
  await replica?.stop();
  await shop?.stop();
});

/** Every crash point, with a card that makes a PlaceOrder reach it. */
const crashPoints: readonly { readonly env: Record<string, string>; readonly card: TestCard }[] = [
  ...["PENDING", "RESERVED", "PAID", "SHIPPED"].map((state) => ({ env: { SAGA_CRASH_AFTER: state }, card: testCards.succeeds })),
  ...["RESERVE", "CHARGE", "SHIP", "COMMIT", "EMPTY_CART"].map((step) => ({
    env: { SAGA_CRASH_BEFORE_PERSIST: step },
    card: testCards.succeeds,
  })),
  // Compensation steps: a processor that is down makes PlaceOrder refund (nothing) and release.
  ...["REFUND", "RELEASE"].map((step) => ({ env: { SAGA_CRASH_BEFORE_PERSIST: step }, card: testCards.processorDown })),
];

/** Orders placed through each replica per crash point. */
const ordersPerReplica = 2;

/** The shop's order process no longer answers: it crashed (a crash point's log line may die with it unwritten). */
async function orderProcessDown(): Promise<boolean> {
  const health = healthClient(shop.address.order);
  try {
    await health.check();
    return false;
  } catch {
    return true;
  } finally {
    health.close();
  }
}

/** Starts the shop's order process armed with `env`; its recovery may reach the point before it even answers. */
async function startArmed(env: Record<string, string>): Promise<void> {
  try {
    await shop.start("order", env);
  } catch (err) {
    if (!(await orderProcessDown())) throw err;
  }
}

/** A new user with one `product` in the cart. */
async function customer(product: TestProduct): Promise<string> {
  const user = ledger.user();
  await fillCart(shop, user, [{ product, quantity: 1 }]);
  return user;
}

/** The user's orders as the replica that is never killed lists them. */
const ordersOf = (user: string): Promise<Order[]> => allOrdersOf(replica.client, asUser(user));

/** How an order not yet shipped must end after CancelOrder answered `answer`. */
const endAfterCancel: Readonly<Record<string, string>> = {
  // Cancelled, or recorded with compensation left to the background.
  CANCELLED: "CANCELLED",
  Unavailable: "CANCELLED",
};

describe("two order replicas, one of them killed at each point of the saga", () => {
  it("finishes every order with the saga's invariants intact", async () => {
    const began = Date.now();
    const product = await newProduct(shop, ledger, 1500, 200);
    /** What each PlaceOrder through the replica that is never killed answered, by card. */
    const viaReplica: Promise<{ card: TestCard; answer: string }>[] = [];
    /** What each CancelOrder of an order the killed process dropped answered. */
    const cancels: Promise<{ user: string; orderId: string; answer: string }>[] = [];

    for (const { env, card } of crashPoints) {
      const armedUsers = await Promise.all(Array.from({ length: ordersPerReplica }, () => customer(product)));
      const replicaUsers = await Promise.all(Array.from({ length: ordersPerReplica }, () => customer(product)));
      await startArmed(env);
      const place = (client: Shop["clients"]["order"], user: string) =>
        client.placeOrder({ requestId: newRequestId(), shippingAddress: testAddress, card }, asUser(user));
      // At once through both: the armed process dies on the first of its orders to reach the point.
      const armed = armedUsers.map((user) => place(shop.clients.order, user));
      for (const user of replicaUsers) {
        viaReplica.push(
          place(replica.client, user).then(
            (r) => ({ card, answer: OrderState[r.order?.state ?? OrderState.UNSPECIFIED] }),
            (err: unknown) => ({ card, answer: String(err) }),
          ),
        );
      }
      await Promise.allSettled(armed);
      expect({ env, crashed: await orderProcessDown() }).toEqual({ env, crashed: true });
      // The customer cancels a dropped order while both recovery loops are after it; a PAID one may
      // have a shipment its dead runner never recorded, which compensation cancels by the order id.
      const cancellable = [OrderState.PENDING, OrderState.RESERVED, OrderState.PAID];
      for (const user of armedUsers) {
        const dropped = (await ordersOf(user)).find((o) => cancellable.includes(o.state));
        if (dropped === undefined) continue;
        cancels.push(
          replica.client.cancelOrder({ orderId: dropped.id, reason: "changed my mind" }, asUser(user)).then(
            (r) => ({ user, orderId: dropped.id, answer: OrderState[r.order?.state ?? OrderState.UNSPECIFIED] }),
            (err: unknown) => ({ user, orderId: dropped.id, answer: Code[ConnectError.from(err).code] }),
          ),
        );
        break;
      }
    }
    await shop.start("order");

    // Every order the surviving replica placed with a good card was confirmed in its own call,
    // however busy the other replica's recovery was around it.
    const goodCardAnswers = (await Promise.all(viaReplica)).filter((a) => a.card === testCards.succeeds).map((a) => a.answer);
    const goodCardOrders = crashPoints.filter((p) => p.card === testCards.succeeds).length * ordersPerReplica;
    expect(goodCardAnswers).toEqual(Array.from({ length: goodCardOrders }, () => "CONFIRMED"));
    await ledger.check(45_000);
    const cancelled = await Promise.all(cancels);
    const ends = await Promise.all(
      cancelled.map(async ({ user, orderId, answer }) => {
        const order = (await ordersOf(user)).find((o) => o.id === orderId);
        return { orderId, answer, ended: OrderState[order?.state ?? OrderState.UNSPECIFIED] };
      }),
    );
    expect(ends).toEqual(ends.map((e) => ({ ...e, ended: endAfterCancel[e.answer] ?? `an answer other than ${e.answer}` })));
    expect(cancelled.length).toBeGreaterThan(2);
    expect(Date.now() - began).toBeLessThan(100_000);
  }, 150_000);
});
