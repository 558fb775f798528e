// The saga when a downstream service hangs, with every service a real process: payment (and,
// separately, shipping) is stopped with SIGSTOP while the order's call to it is in flight, past
// the order's call deadline, then continued with SIGCONT, so that the Charge or CreateShipment
// the order gave up on lands late, racing the order's compensation. Never may a cancelled order
// keep a captured payment or a shipment in force (the invariants, after every test). And a
// PlaceOrder slower than its answer bound answers with the order as it stands, which GetOrder
// then follows to its end. And one order more than the service places at once is refused at once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { RetryInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { OrderState, type Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { PaymentStatus } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { ShipmentStatus } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { asUser, eventually, rejection, testAddress, testCards } from "@shopmesh/testkit";
import { allOrders, fillCart, finalOrderOf, newProduct, newRequestId, type TestProduct } from "./support/fixtures.js";
import { createLedger, type Ledger } from "./support/invariants.js";
import { orderIdFor } from "../src/order.js";
import { orderTestEnv, startOrderShop, type ServiceName, type Shop } from "./support/shop.js";

// PlaceOrder answers by this bound (the gateway's route timeout in the mesh is 10 s).
const replyMs = 1_000;
const callDeadlineMs = Number(orderTestEnv.DOWNSTREAM_TIMEOUT_MS);
/** Orders the service places at once. */
const maxInFlight = 2;

let shop: Shop;
let ledger: Ledger;
const stopped = new Set<ServiceName>();

beforeAll(async () => {
  shop = await startOrderShop({ orderEnv: { PLACE_ORDER_REPLY_MS: String(replyMs), PLACE_ORDER_MAX_IN_FLIGHT: String(maxInFlight) } });
  ledger = createLedger(shop);
  // One order first, so that the order service's connections to every service are open: a
  // stopped process then takes calls into its socket without answering, as a hung one does.
  const { user } = await userWithCart();
  await place(user);
  // On a busy machine the answer may come (by the 1 s bound) before the last steps ran.
  expect((await finalOrderOf(shop, user)).state).toBe(OrderState.CONFIRMED);
}, 90_000);

afterAll(async () => {
  for (const name of stopped) await shop?.signal(name, "SIGCONT");
  await shop?.stop();
});

afterEach(async () => {
  for (const name of stopped) await shop.signal(name, "SIGCONT");
  stopped.clear();
  await ledger.check(20_000);
});

async function stall(name: ServiceName): Promise<void> {
  stopped.add(name);
  await shop.signal(name, "SIGSTOP");
}

async function resume(name: ServiceName): Promise<void> {
  await shop.signal(name, "SIGCONT");
  stopped.delete(name);
}

function place(userId: string, requestId = newRequestId()) {
  return shop.clients.order.placeOrder({ requestId, shippingAddress: testAddress, card: testCards.succeeds }, asUser(userId));
}

async function userWithCart(): Promise<{ user: string; product: TestProduct }> {
  const user = ledger.user();
  const product = await newProduct(shop, ledger, 1500, 10);
  await fillCart(shop, user, [{ product, quantity: 2 }]);
  return { user, product };
}

async function stockOf(sku: string) {
  const { stock } = await shop.clients.inventory.getStock({ sku });
  return { available: stock?.available, reserved: stock?.reserved };
}

/** The user's only order once it is in `state`. */
function orderIn(user: string, state: OrderState, timeoutMs = 5_000): Promise<Order> {
  return eventually(
    async () => {
      const [order] = await allOrders(shop, user);
      return order?.state === state ? order : undefined;
    },
    { timeoutMs, intervalMs: 20, what: `the order of ${user} ${OrderState[state]}` },
  );
}

describe("a downstream service stalled past the order's call deadline", () => {
  it("payment: the Charge that lands late meets the void; the order is CANCELLED with nothing charged", async () => {
    const { user, product } = await userWithCart();
    await stall("payment");
    const started = Date.now();

    // The charge hangs: the answer is due first, with the order as it stands.
    const { order: answered } = await place(user);
    expect(answered?.state).toBe(OrderState.RESERVED);
    // Past the Charge's deadline, while the compensation's VoidCharge waits on the stalled process too.
    await sleep(Math.max(0, started + callDeadlineMs + 1_000 - Date.now()));
    await resume("payment");

    const order = await finalOrderOf(shop, user, 20_000);
    expect(order).toMatchObject({ id: answered?.id, state: OrderState.CANCELLED, paymentId: "" });
    expect(order.cancelReason).toContain("payment service unavailable");
    // The late Charge did arrive (its payment is on record) and charged nothing that stayed charged.
    const { payment } = await shop.clients.payment.getPayment({ lookup: { case: "idempotencyKey", value: order.id } });
    expect([PaymentStatus.VOIDED, PaymentStatus.REFUNDED]).toContain(payment?.status);
    expect(await stockOf(product.sku)).toEqual({ available: 10, reserved: 0 });
  }, 40_000);

  it("shipping: the CreateShipment that lands late meets the cancellation; the order is CANCELLED and refunded", async () => {
    const { user, product } = await userWithCart();
    // Hold the charge until the order is RESERVED (its quote done), then stall shipping instead.
    await stall("payment");
    const placing = place(user);
    await orderIn(user, OrderState.RESERVED);
    await stall("shipping");
    await resume("payment");
    const paid = await orderIn(user, OrderState.PAID);
    const { order: answered } = await placing;
    expect(answered?.id).toBe(paid.id);
    // Answered by its 1 s bound as it stood then: not final (on a busy machine even still PENDING).
    expect([OrderState.PENDING, OrderState.RESERVED, OrderState.PAID]).toContain(answered?.state);
    // Past the CreateShipment's deadline, while CancelShipment waits on the stalled process too.
    await sleep(callDeadlineMs + 1_000);
    await resume("shipping");

    const order = await finalOrderOf(shop, user, 20_000);
    expect(order).toMatchObject({ id: paid.id, state: OrderState.CANCELLED, shipmentId: "", trackingId: "" });
    expect(order.cancelReason).toContain("shipping service unavailable");
    // The late CreateShipment did arrive, and left no shipment in force.
    const { shipment } = await shop.clients.shipping.getShipment({ lookup: { case: "orderId", value: order.id } });
    expect(shipment?.status).toBe(ShipmentStatus.CANCELLED);
    const { payment } = await shop.clients.payment.getPayment({ lookup: { case: "idempotencyKey", value: order.id } });
    expect(payment).toMatchObject({ id: paid.paymentId, status: PaymentStatus.REFUNDED });
    expect(await stockOf(product.sku)).toEqual({ available: 10, reserved: 0 });
  }, 40_000);
});

describe("PlaceOrder slower than its answer bound", () => {
  it("answers in time with the order's id and a state to follow; GetOrder then shows it CONFIRMED", async () => {
    const { user } = await userWithCart();
    await stall("payment");
    const started = Date.now();

    const { order: answered } = await place(user);

    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(replyMs - 50);
    expect(took).toBeLessThan(replyMs + 1_000);
    expect(answered?.id).toMatch(/^ord_/);
    expect(answered?.state).toBe(OrderState.RESERVED);
    // Payment answers within the Charge's deadline after all: the order completes.
    await resume("payment");
    const order = await eventually(
      async () => {
        const { order: now } = await shop.clients.order.getOrder({ orderId: answered?.id ?? "" }, asUser(user));
        return now?.state === OrderState.CONFIRMED ? now : undefined;
      },
      { timeoutMs: 10_000, what: "the order CONFIRMED" },
    );
    expect(order.paymentId).not.toBe("");
    expect(order.trackingId).not.toBe("");
  }, 30_000);
});

describe("more orders at once than the service places (PLACE_ORDER_MAX_IN_FLIGHT)", () => {
  it("refuses the one too many at once with RESOURCE_EXHAUSTED, recording nothing; it goes through once the others ended", async () => {
    const users = (await Promise.all(Array.from({ length: maxInFlight + 1 }, () => userWithCart()))).map(({ user }) => user);
    const held = users.slice(0, maxInFlight);
    const refused = users[maxInFlight] as string;
    await stall("payment");
    // Their charges hang; they stay in flight after their answers, until their sagas end.
    const placing = held.map((user) => place(user));
    await Promise.all(held.map((user) => orderIn(user, OrderState.RESERVED)));

    const requestId = newRequestId();
    const started = Date.now();
    const err = await rejection(place(refused, requestId));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(Date.now() - started).toBeLessThan(replyMs);
    expect(err.rawMessage).toBe(
      `${maxInFlight} orders are being placed here already; this call recorded nothing: retry later with the same request id`,
    );
    expect(err.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds).toBe(1n);
    expect(await allOrders(shop, refused)).toEqual([]);

    await resume("payment");
    await Promise.all(placing);
    // CONFIRMED, or CANCELLED if a busy machine let a held Charge outlast its deadline first.
    for (const user of held) expect([OrderState.CONFIRMED, OrderState.CANCELLED]).toContain((await finalOrderOf(shop, user, 20_000)).state);
    // The same request id, once a place is free (the held sagas end just after their last write).
    const stillRefused = (e: unknown) => (ConnectError.from(e).code === Code.ResourceExhausted ? undefined : Promise.reject(e));
    const { order } = await eventually(() => place(refused, requestId).catch(stillRefused), {
      timeoutMs: 5_000,
      what: "the refused order placed",
    });
    expect(order?.id).toBe(orderIdFor(refused, requestId));
    expect((await finalOrderOf(shop, refused, 20_000)).state).toBe(OrderState.CONFIRMED);
  }, 40_000);
});
