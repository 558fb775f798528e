// The saga under failure, with every service a real process: the order process SIGKILLed at each
// point of the saga and restarted (recovery finishes the order), downstream services killed
// mid-placement, a customer's cancellation of an unshipped order, and the order store going away.
// The invariants are checked after every test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import { NotificationKind } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { PaymentStatus } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import {
  asUser,
  eventually,
  healthClient,
  preconditionViolations,
  rejection,
  subscribe,
  testAddress,
  testCards,
  type TestCard,
} from "@shopmesh/testkit";
import { allOrders, fillCart, finalOrderOf, newProduct, newRequestId, type TestProduct } from "./support/fixtures.js";
import { createLedger, type Ledger } from "./support/invariants.js";
import { startOrderShop, type Shop } from "./support/shop.js";

let shop: Shop;
let ledger: Ledger;

beforeAll(async () => {
  shop = await startOrderShop();
  ledger = createLedger(shop);
}, 90_000);

afterAll(async () => {
  await shop?.stop();
});

afterEach(() => ledger.check(15_000));

function place(userId: string, requestId = newRequestId(), card: TestCard = testCards.succeeds) {
  return shop.clients.order.placeOrder({ requestId, shippingAddress: testAddress, card }, asUser(userId));
}

async function userWithCart(stock = 10, quantity = 2): Promise<{ user: string; product: TestProduct }> {
  const user = ledger.user();
  const product = await newProduct(shop, ledger, 1500, stock);
  await fillCart(shop, user, [{ product, quantity }]);
  return { user, product };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function notificationsAbout(userId: string, orderId: string) {
  const { notifications } = await shop.clients.notification.listNotifications({ pageSize: 100 }, asUser(userId));
  return notifications.filter((n) => n.text.includes(orderId));
}

async function restartOrder(env: Record<string, string> = {}): Promise<void> {
  await shop.kill("order");
  await shop.start("order", env);
}

async function stockOf(sku: string) {
  const { stock } = await shop.clients.inventory.getStock({ sku });
  return { available: stock?.available, reserved: stock?.reserved };
}

async function paymentStatus(orderId: string): Promise<PaymentStatus | "none"> {
  try {
    const { payment } = await shop.clients.payment.getPayment({ lookup: { case: "idempotencyKey", value: orderId } });
    return payment?.status ?? "none";
  } catch {
    return "none";
  }
}

/** Places an order in a process armed to crash at `crashEnv`, then restarts it unarmed. */
async function placeAndCrash(crashEnv: Record<string, string>) {
  const { user, product } = await userWithCart();
  const requestId = newRequestId();
  await restartOrder(crashEnv);
  const err = await rejection(place(user, requestId));
  // The connection dies with the process.
  expect([Code.Unavailable, Code.Internal, Code.Unknown]).toContain(err.code);
  await restartOrder();
  return { user, product, requestId };
}

describe("recovery after the order process is killed", () => {
  it("cancels an order killed after RESERVED (the card is gone) and releases its stock", async () => {
    const { user, product, requestId } = await placeAndCrash({ SAGA_CRASH_AFTER: "RESERVED" });

    const order = await finalOrderOf(shop, user);

    expect(order).toMatchObject({ state: OrderState.CANCELLED, cancelReason: "interrupted before payment" });
    expect(await stockOf(product.sku)).toEqual({ available: 10, reserved: 0 });
    expect(await paymentStatus(order.id)).toBe("none");
    // Retrying the request id answers with what became of it.
    const err = await rejection(place(user, requestId));
    expect(preconditionViolations(err)).toEqual([
      { type: "CANCELLED", subject: `order/${order.id}`, description: "interrupted before payment" },
    ]);
  });

  it("confirms an order killed after PAID: ships, commits, empties the cart", async () => {
    const { user, product, requestId } = await placeAndCrash({ SAGA_CRASH_AFTER: "PAID" });

    const order = await finalOrderOf(shop, user);

    expect(order.state).toBe(OrderState.CONFIRMED);
    expect(order.trackingId).not.toBe("");
    expect(await stockOf(product.sku)).toEqual({ available: 8, reserved: 0 });
    const { cart } = await shop.clients.cart.getCart({}, asUser(user));
    expect(cart?.lines).toEqual([]);
    const again = await place(user, requestId);
    expect(again.order).toEqual(order);
  });

  it("confirms an order killed after SHIPPED", async () => {
    const { user, product } = await placeAndCrash({ SAGA_CRASH_AFTER: "SHIPPED" });

    const order = await finalOrderOf(shop, user);

    expect(order.state).toBe(OrderState.CONFIRMED);
    expect(await stockOf(product.sku)).toEqual({ available: 8, reserved: 0 });
    expect(await paymentStatus(order.id)).toBe(PaymentStatus.CAPTURED);
  });

  it("refunds an order killed after the charge succeeded but before PAID was recorded", async () => {
    const { user, product } = await placeAndCrash({ SAGA_CRASH_BEFORE_PERSIST: "CHARGE" });

    const order = await finalOrderOf(shop, user);

    expect(order).toMatchObject({ state: OrderState.CANCELLED, cancelReason: "interrupted before payment" });
    expect(await paymentStatus(order.id)).toBe(PaymentStatus.REFUNDED);
    expect(await stockOf(product.sku)).toEqual({ available: 10, reserved: 0 });
  });
});

describe("CancelOrder before shipping", () => {
  it("refunds and releases an unshipped order itself once nobody drives it", async () => {
    // A process whose recovery loop runs only at start (before the crashed run's lease ends),
    // so the cancellation has to compensate by itself.
    const { user, product } = await userWithCart();
    await restartOrder({ SAGA_CRASH_AFTER: "PAID" });
    await rejection(place(user));
    await restartOrder({ RECOVERY_INTERVAL_MS: "600000" });
    const [paid] = await allOrders(shop, user);
    expect(paid?.state).toBe(OrderState.PAID);

    const { order } = await shop.clients.order.cancelOrder({ orderId: paid?.id ?? "", reason: "changed my mind" }, asUser(user));

    expect(order).toMatchObject({ id: paid?.id, state: OrderState.CANCELLED, cancelReason: "changed my mind" });
    expect(await paymentStatus(paid?.id ?? "")).toBe(PaymentStatus.REFUNDED);
    expect(await stockOf(product.sku)).toEqual({ available: 10, reserved: 0 });
    const again = await shop.clients.order.cancelOrder({ orderId: paid?.id ?? "", reason: "again" }, asUser(user));
    expect(again.order).toEqual(order);
    await restartOrder();
  });
});

describe("a downstream service down", () => {
  it("answers UNAVAILABLE when payment is down and cancels the order once payment is back", async () => {
    const { user, product } = await userWithCart();
    await shop.kill("payment");
    try {
      const err = await rejection(place(user));
      expect(err.code).toBe(Code.Unavailable);
      // Compensation cannot look for a payment while payment is down: the order waits, reserved.
      const [pending] = await allOrders(shop, user);
      expect(pending?.state).toBe(OrderState.RESERVED);
      expect(await stockOf(product.sku)).toEqual({ available: 8, reserved: 2 });
      const cancel = await rejection(shop.clients.order.cancelOrder({ orderId: pending?.id ?? "" }, asUser(user)));
      expect(cancel.code).toBe(Code.Unavailable);
    } finally {
      await shop.start("payment");
    }

    const order = await finalOrderOf(shop, user);

    expect(order.state).toBe(OrderState.CANCELLED);
    expect(order.cancelReason).toContain("payment service unavailable");
    expect(await stockOf(product.sku)).toEqual({ available: 10, reserved: 0 });
    const { cart } = await shop.clients.cart.getCart({}, asUser(user));
    expect(cart?.lines).toHaveLength(1);
  });

  it("answers UNAVAILABLE when inventory is down and cancels the order once inventory is back", async () => {
    const { user, product } = await userWithCart();
    await shop.kill("inventory");
    try {
      const err = await rejection(place(user));
      expect(err.code).toBe(Code.Unavailable);
      const [pending] = await allOrders(shop, user);
      expect(pending?.state).toBe(OrderState.PENDING);
    } finally {
      await shop.start("inventory");
    }

    const order = await finalOrderOf(shop, user);

    expect(order.state).toBe(OrderState.CANCELLED);
    expect(order.cancelReason).toContain("inventory service unavailable");
    expect(await stockOf(product.sku)).toEqual({ available: 10, reserved: 0 });
  });

  it("confirms orders while notification is down for 20 s; once it is back, each one's notification arrives once on the user's stream", async () => {
    const user = ledger.user();
    const product = await newProduct(shop, ledger, 1500, 20);
    // A first order while everything runs: the user's stream resumes after its notification.
    await fillCart(shop, user, [{ product, quantity: 1 }]);
    const first = (await place(user)).order?.id ?? "";
    const seen = await eventually(async () => (await notificationsAbout(user, first))[0], { what: "the first order's notification" });

    await shop.kill("notification");
    const down = Date.now();
    const placed: string[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        await fillCart(shop, user, [{ product, quantity: 1 }]);
        const { order } = await place(user);
        expect(order?.state).toBe(OrderState.CONFIRMED);
        placed.push(order?.id ?? "");
      }
      await pause(20_000 - (Date.now() - down));
    } finally {
      await shop.start("notification");
    }

    const stream = subscribe(shop.clients.notification, user, seen.id);
    try {
      await eventually(() => stream.received.length >= placed.length, {
        timeoutMs: 15_000,
        what: "the notifications of the orders placed meanwhile",
      });
      // Long enough for a redelivery to show up as a second notification.
      await pause(3_000);
      const orderOf = (text: string) => placed.find((id) => text.includes(id)) ?? `(none: ${text})`;
      expect(stream.received.map((n) => orderOf(n.text)).sort()).toEqual([...placed].sort());
      expect(stream.received.every((n) => n.kind === NotificationKind.ORDER_CONFIRMED)).toBe(true);
    } finally {
      stream.cancel();
    }
  }, 60_000);

  it("answers UNAVAILABLE when shipping is down at placement, before any order is recorded", async () => {
    const { user } = await userWithCart();
    await shop.kill("shipping");
    try {
      const err = await rejection(place(user));
      expect(err.code).toBe(Code.Unavailable);
      expect(err.rawMessage).toContain("shipping");
    } finally {
      await shop.start("shipping");
    }
    expect(await allOrders(shop, user)).toEqual([]);
    // Back within seconds of shipping's restart: until the order service has reconnected to it,
    // placing may still answer UNAVAILABLE, and such an attempt records nothing either.
    const order = await eventually(async () => (await place(user)).order, { what: "an order placed after shipping is back" });
    expect(order.state).toBe(OrderState.CONFIRMED);
    expect((await allOrders(shop, user)).map((o) => o.id)).toEqual([order.id]);
  });
});

describe("the order store", () => {
  it("turns health NOT_SERVING while FerretDB is down and SERVING once it is back", async () => {
    const health = healthClient(shop.address.order);
    const withLog = async (step: Promise<void>): Promise<void> =>
      step.catch((err: unknown) => {
        throw new Error(`${String(err)}\norder log:\n${shop.output("order").slice(-3_000)}`);
      });
    try {
      await health.waitFor("SERVING");
      await shop.mongo.stop();
      try {
        await withLog(health.waitFor("NOT_SERVING", "", 10_000));
        const err = await rejection(shop.clients.order.listOrders({}, asUser("u-outage")));
        expect(err.code).toBe(Code.Unavailable);
      } finally {
        await shop.mongo.start();
      }
      await withLog(health.waitFor("SERVING", "", 30_000));
      await health.waitFor("SERVING", "shop.order.v1.OrderService", 5_000);
      await eventually(async () => (await shop.clients.order.listOrders({}, asUser("u-outage"))).orders);
    } finally {
      health.close();
    }
    // The other services on FerretDB come back too, before the invariants are read from them.
    for (const name of ["catalog", "payment", "shipping"] as const) {
      const other = healthClient(shop.address[name]);
      await other.waitFor("SERVING", "", 30_000).finally(() => other.close());
    }
  });
});
