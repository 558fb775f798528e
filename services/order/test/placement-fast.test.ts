// PlaceOrder through the order service's gRPC API, with the real service (startOrder, its saga,
// recovery and a real FerretDB) and in-process fakes of the six services it calls. Each test
// takes a few milliseconds: placing an order, a declined card and its compensation, a service
// that is down or refuses, the same request retried, and how each downstream error reaches the
// client. order-saga.test.ts and order-recovery.test.ts run the same saga against real processes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { fromBinary } from "@bufbuild/protobuf";
import { OrderCancelledSchema, OrderConfirmedSchema } from "@shopmesh/gen/shop/order/v1/events_pb.js";
import { connectMongo, type MongoStore } from "@shopmesh/stores/mongo";
import { OrderService, OrderState, type Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { PaymentService, PaymentStatus } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { ShipmentStatus, ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { createGrpcClient, createLogger, fieldViolations, invalidArgument, type GrpcClient, type RunningService } from "@shopmesh/kit";
import {
  allOrdersOf,
  asUser,
  checkSagaInvariants,
  eventually,
  preconditionViolations,
  rejection,
  startMongo,
  testAddress,
  testCards,
  type TestCard,
  type TestStore,
} from "@shopmesh/testkit";
import { startOrder } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createMongoOrderStore } from "../src/store/mongo-order-store.js";
import type { OrderStore } from "../src/store/order-store.js";
import { startFakeDownstream, type FakeDownstream } from "./support/fake-downstream.js";
import { orderTestEnv } from "./support/shop.js";

const logger = createLogger("order", "silent");
let mongo: TestStore;
let fakes: FakeDownstream;
let app: RunningService;
let orders: GrpcClient<typeof OrderService>;
// The test's own look at what the fakes hold, for the invariants.
let payments: GrpcClient<typeof PaymentService>;
let shipping: GrpcClient<typeof ShippingService>;
let inventory: GrpcClient<typeof InventoryService>;
// The order store itself, to see the events waiting in its outbox.
let outboxMongo: MongoStore;
let outbox: OrderStore;

beforeAll(async () => {
  [mongo, fakes] = await Promise.all([startMongo(), startFakeDownstream(logger)]);
  const config = loadConfig({
    GRPC_PORT: "0",
    LOG_LEVEL: "silent",
    SHUTDOWN_GRACE_MS: "1000",
    MONGO_URL: mongo.url,
    MONGO_DB: "orders_fast",
    CART_ADDR: fakes.address,
    CATALOG_ADDR: fakes.address,
    INVENTORY_ADDR: fakes.address,
    PAYMENT_ADDR: fakes.address,
    SHIPPING_ADDR: fakes.address,
    ...orderTestEnv,
  });
  app = await startOrder(config, logger);
  orders = createGrpcClient(OrderService, app.server.address, { defaultTimeoutMs: 10_000 });
  const options = { defaultTimeoutMs: 5_000 };
  payments = createGrpcClient(PaymentService, fakes.address, options);
  shipping = createGrpcClient(ShippingService, fakes.address, options);
  inventory = createGrpcClient(InventoryService, fakes.address, options);
  outboxMongo = await connectMongo(mongo.url, "orders_fast", logger);
  outbox = await createMongoOrderStore(outboxMongo);
}, 60_000);

afterAll(async () => {
  for (const client of [orders, payments, shipping, inventory]) client?.close();
  await app?.stop();
  await outboxMongo?.close();
  await fakes?.stop();
  await mongo?.dispose();
});

// Every test starts from no faults, and leaves the saga's invariants holding over all it did.
const users = new Set<string>();
const stocked = new Map<string, number>();
afterEach(async () => {
  fakes.clearFaults();
  await checkSagaInvariants({
    orders: async () => (await Promise.all([...users].map((u) => allOrdersOf(orders, asUser(u))))).flat(),
    stocked: async () => stocked,
    payment: payments,
    shipping,
    inventory,
  });
});

let seq = 0;
interface Item {
  readonly productId: string;
  readonly sku: string;
  readonly priceCents: number;
}

/** A new user with `quantity` of a new product (at `priceCents`, `stock` in stock) per entry in the cart. */
function shopperWithCart(...entries: { priceCents: number; stock: number; quantity: number }[]): { user: string; items: Item[] } {
  const user = `u-fast-${++seq}`;
  users.add(user);
  const items = entries.map(({ priceCents, stock }) => {
    const n = ++seq;
    const item = { productId: `p-${n}`, sku: `FAST-${n}`, priceCents };
    fakes.addProduct({ id: item.productId, sku: item.sku, name: `Product ${n}`, priceCents });
    fakes.setStock(item.sku, stock);
    stocked.set(item.sku, stock);
    return item;
  });
  fakes.fillCart(
    user,
    items.map((item, i) => ({ productId: item.productId, quantity: entries[i]?.quantity ?? 0 })),
  );
  return { user, items };
}

const cents = (m: { units: bigint; nanos: number } | undefined): number =>
  m === undefined ? NaN : Number(m.units) * 100 + m.nanos / 10_000_000;
const requestId = (): string => `req-fast-${++seq}`;

function place(user: string, id = requestId(), card: TestCard = testCards.succeeds) {
  return orders.placeOrder({ requestId: id, shippingAddress: testAddress, card }, asUser(user));
}

async function onlyOrderOf(user: string): Promise<Order | undefined> {
  const all = await allOrdersOf(orders, asUser(user));
  expect(all).toHaveLength(1);
  return all[0];
}

const violationsOf = (err: ConnectError) => fieldViolations(err).map(({ field, description }) => ({ field, description }));
const chargesOf = (orderId: string) => fakes.calls.charges.filter((c) => c.idempotencyKey === orderId);
const refundsOf = (order: Order | undefined) => fakes.calls.refunds.filter((r) => r.paymentId === order?.paymentId);
/**
 * The order's event (which the notification service tells the customer of), waiting in its
 * outbox: this order service runs without a broker, so nothing publishes it.
 */
async function recordedEvent(kind: "OrderConfirmed" | "OrderCancelled", orderId: string): Promise<void> {
  const events = await outbox.pendingEvents(new Date(Date.now() + 60_000), 1_000);
  const mine = events.filter((e) => e.orderId === orderId);
  expect(mine.map((e) => e.type)).toEqual([`shop.order.v1.${kind}`]);
  const schema = kind === "OrderConfirmed" ? OrderConfirmedSchema : OrderCancelledSchema;
  const event = fromBinary(schema, mine[0]?.data ?? new Uint8Array());
  expect(event.meta).toMatchObject({ eventId: mine[0]?.id, aggregateId: orderId, schemaVersion: 1 });
  expect(event.order?.id).toBe(orderId);
}

describe("PlaceOrder, against fakes of the services it calls", () => {
  it("confirms an order: priced from the catalog, charged once, shipped, stock committed, cart emptied, customer told", async () => {
    const { user, items } = shopperWithCart({ priceCents: 1250, stock: 10, quantity: 2 }, { priceCents: 1999, stock: 5, quantity: 1 });
    const [mug, tee] = items as [Item, Item];

    const { order } = await place(user);

    expect(order).toMatchObject({ userId: user, state: OrderState.CONFIRMED, cancelReason: "" });
    // The catalog's price, not the cart's copy (the fake cart's is a cent higher).
    expect(order?.lines.map((l) => [l.productId, l.sku, l.quantity, cents(l.unitPrice), cents(l.lineTotal)])).toEqual([
      [mug.productId, mug.sku, 2, 1250, 2500],
      [tee.productId, tee.sku, 1, 1999, 1999],
    ]);
    const total = 4499 + fakes.shippingCents;
    expect([cents(order?.subtotal), cents(order?.shippingCost), cents(order?.total)]).toEqual([4499, fakes.shippingCents, total]);
    expect(chargesOf(order?.id ?? "")).toEqual([{ idempotencyKey: order?.id, cents: total, cardNumber: "4242424242424242" }]);
    expect(refundsOf(order)).toEqual([]);
    expect(fakes.calls.shipments).toContainEqual({ orderId: order?.id });
    expect([fakes.stockOf(mug.sku), fakes.stockOf(tee.sku)]).toEqual([
      { available: 8, reserved: 0 },
      { available: 4, reserved: 0 },
    ]);
    expect(fakes.cartOf(user)).toEqual([]);
    // The cart was read as the caller: the identity went along.
    expect(fakes.calls.cartReadsFor).toContain(user);
    await recordedEvent("OrderConfirmed", order?.id ?? "");
  });

  it("fails a declined card with FAILED_PRECONDITION PAYMENT: order CANCELLED, stock back, cart kept, customer told", async () => {
    const { user, items } = shopperWithCart({ priceCents: 1250, stock: 10, quantity: 3 });

    const err = await rejection(place(user, requestId(), testCards.declined));

    expect(err.code).toBe(Code.FailedPrecondition);
    const order = await onlyOrderOf(user);
    expect(order).toMatchObject({ state: OrderState.CANCELLED, cancelReason: "payment declined: insufficient funds", shipmentId: "" });
    expect(preconditionViolations(err)).toEqual([{ type: "PAYMENT", subject: `order/${order?.id}`, description: "insufficient funds" }]);
    // One attempt to charge, declined: nothing was taken, so nothing is refunded.
    expect(chargesOf(order?.id ?? "")).toHaveLength(1);
    expect(refundsOf(order)).toEqual([]);
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 10, reserved: 0 });
    expect(fakes.cartOf(user)).toEqual([{ productId: items[0]?.productId, quantity: 3 }]);
    await recordedEvent("OrderCancelled", order?.id ?? "");
  });

  it("refunds the charge and releases the stock when shipping refuses after payment; INTERNAL, without the cause", async () => {
    const { user, items } = shopperWithCart({ priceCents: 800, stock: 4, quantity: 2 });
    fakes.failWith("shipping.createShipment", new ConnectError("no carrier for this parcel", Code.FailedPrecondition));

    const err = await rejection(place(user));

    expect([err.code, err.rawMessage]).toEqual([Code.Internal, "internal error"]);
    const order = await onlyOrderOf(user);
    expect(order?.state).toBe(OrderState.CANCELLED);
    expect(order?.cancelReason).toContain("shipment failed");
    const total = 1600 + fakes.shippingCents;
    expect(chargesOf(order?.id ?? "")).toEqual([{ idempotencyKey: order?.id, cents: total, cardNumber: "4242424242424242" }]);
    expect(refundsOf(order)).toEqual([{ paymentId: order?.paymentId, cents: total }]);
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 4, reserved: 0 });
    expect(fakes.cartOf(user)).toHaveLength(1);
  });

  it("fails short stock with FAILED_PRECONDITION STOCK naming the SKU, and charges nothing", async () => {
    const { user, items } = shopperWithCart({ priceCents: 500, stock: 10, quantity: 2 }, { priceCents: 700, stock: 1, quantity: 3 });

    const err = await rejection(place(user));

    expect(err.code).toBe(Code.FailedPrecondition);
    const scarce = items[1]?.sku;
    expect(preconditionViolations(err)).toEqual([{ type: "STOCK", subject: `sku/${scarce}`, description: "requested 3, available 1" }]);
    const order = await onlyOrderOf(user);
    expect(order?.state).toBe(OrderState.CANCELLED);
    expect(chargesOf(order?.id ?? "")).toEqual([]);
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 10, reserved: 0 });
  });

  it("fails an empty cart with FAILED_PRECONDITION CART and records no order", async () => {
    const { user } = shopperWithCart();
    const err = await rejection(place(user));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(preconditionViolations(err)).toEqual([{ type: "CART", subject: "cart", description: "the cart has no items" }]);
    expect(await allOrdersOf(orders, asUser(user))).toEqual([]);
  });

  it("fails a product the catalog no longer sells with FAILED_PRECONDITION CART naming it", async () => {
    const { user } = shopperWithCart({ priceCents: 500, stock: 10, quantity: 1 });
    fakes.fillCart(user, [{ productId: "p-withdrawn", quantity: 1 }]);
    const err = await rejection(place(user));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(preconditionViolations(err)).toEqual([
      { type: "CART", subject: "product/p-withdrawn", description: "the product is not in the catalog" },
    ]);
    expect(await allOrdersOf(orders, asUser(user))).toEqual([]);
  });
});

describe("PlaceOrder when a service is down or refuses", () => {
  const unavailable = new ConnectError("connection refused", Code.Unavailable);

  it.each([
    ["cart.getCart", "cart"],
    ["catalog.getProduct", "catalog"],
    ["shipping.getQuote", "shipping"],
  ] as const)("answers UNAVAILABLE when %s is, before recording any order", async (method, service) => {
    const { user } = shopperWithCart({ priceCents: 500, stock: 10, quantity: 1 });
    fakes.failWith(method, unavailable);

    const err = await rejection(place(user));

    expect([err.code, err.rawMessage]).toEqual([Code.Unavailable, `${service} service is unavailable; try again shortly`]);
    expect(await allOrdersOf(orders, asUser(user))).toEqual([]);
  });

  it("answers UNAVAILABLE when inventory is, and cancels the order without charging", async () => {
    const { user, items } = shopperWithCart({ priceCents: 500, stock: 10, quantity: 1 });
    fakes.failWith("inventory.reserveStock", unavailable);

    const err = await rejection(place(user));

    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toContain("inventory service is unavailable");
    const order = await onlyOrderOf(user);
    expect(order?.state).toBe(OrderState.CANCELLED);
    expect(chargesOf(order?.id ?? "")).toEqual([]);
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 10, reserved: 0 });
  });

  it("answers UNAVAILABLE when the card processor is down, and cancels the order with its stock released", async () => {
    const { user, items } = shopperWithCart({ priceCents: 1250, stock: 10, quantity: 2 });

    const err = await rejection(place(user, requestId(), testCards.processorDown));

    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toContain("payment service is unavailable");
    const order = await onlyOrderOf(user);
    expect(order?.state).toBe(OrderState.CANCELLED);
    expect(order?.cancelReason).toContain("payment service unavailable");
    expect(chargesOf(order?.id ?? "")).toEqual([]);
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 10, reserved: 0 });
    expect(fakes.cartOf(user)).toHaveLength(1);
  });

  it("answers INTERNAL, without the cause, when the cart refuses with FAILED_PRECONDITION (a contract mismatch)", async () => {
    const { user } = shopperWithCart({ priceCents: 500, stock: 10, quantity: 1 });
    fakes.failWith("cart.getCart", new ConnectError("cart is locked for maintenance", Code.FailedPrecondition));

    const err = await rejection(place(user));

    expect([err.code, err.rawMessage]).toEqual([Code.Internal, "internal error"]);
    expect(await allOrdersOf(orders, asUser(user))).toEqual([]);
  });

  it("passes on shipping's verdict on the address as INVALID_ARGUMENT on shipping_address, recording no order", async () => {
    const { user } = shopperWithCart({ priceCents: 500, stock: 10, quantity: 1 });
    fakes.failWith("shipping.getQuote", invalidArgument([{ field: "address.postal_code", description: "is not served" }]));

    const err = await rejection(place(user));

    expect(err.code).toBe(Code.InvalidArgument);
    expect(violationsOf(err)).toEqual([{ field: "shipping_address.postal_code", description: "is not served" }]);
    expect(await allOrdersOf(orders, asUser(user))).toEqual([]);
  });

  it("passes on payment's verdict on the card as INVALID_ARGUMENT on card, and cancels the order with its stock released", async () => {
    const { user, items } = shopperWithCart({ priceCents: 500, stock: 10, quantity: 1 });
    fakes.failWith("payment.charge", invalidArgument([{ field: "card.number", description: "this brand is not accepted" }]));

    const err = await rejection(place(user));

    expect(err.code).toBe(Code.InvalidArgument);
    expect(violationsOf(err)).toEqual([{ field: "card.number", description: "this brand is not accepted" }]);
    expect((await onlyOrderOf(user))?.state).toBe(OrderState.CANCELLED);
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 10, reserved: 0 });
  });
});

describe("PlaceOrder when a step's outcome is unknown (it may have taken effect)", () => {
  const amount = (c: number) => ({ currencyCode: "USD", units: BigInt(Math.trunc(c / 100)), nanos: (c % 100) * 10_000_000 });
  const paymentOf = async (orderId: string) => (await payments.getPayment({ lookup: { case: "idempotencyKey", value: orderId } })).payment;

  it.each([
    ["DEADLINE_EXCEEDED", Code.DeadlineExceeded],
    ["UNAVAILABLE", Code.Unavailable],
    ["CANCELLED", Code.Canceled],
  ])(
    "voids the charge by key when Charge took effect but its answer was lost (%s): refunded, stock back, UNAVAILABLE",
    async (_name, code) => {
      const { user, items } = shopperWithCart({ priceCents: 900, stock: 5, quantity: 2 });
      fakes.failAfterWith("payment.charge", new ConnectError("the answer was lost", code));

      const err = await rejection(place(user));

      expect(err.code).toBe(Code.Unavailable);
      expect(err.rawMessage).toContain("payment service is unavailable");
      const order = await onlyOrderOf(user);
      expect(order).toMatchObject({ state: OrderState.CANCELLED, paymentId: "", shipmentId: "" });
      const total = 1800 + fakes.shippingCents;
      expect(chargesOf(order?.id ?? "")).toHaveLength(1);
      expect(fakes.calls.voids).toContain(order?.id);
      const payment = await paymentOf(order?.id ?? "");
      expect(payment?.status).toBe(PaymentStatus.REFUNDED);
      expect(fakes.calls.refunds).toContainEqual({ paymentId: payment?.id, cents: total });
      expect(fakes.calls.shipments).not.toContainEqual({ orderId: order?.id });
      expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 5, reserved: 0 });
    },
  );

  it("voids the key when Charge timed out before taking effect, so that a Charge arriving late charges nothing", async () => {
    const { user, items } = shopperWithCart({ priceCents: 700, stock: 5, quantity: 1 });
    fakes.failWith("payment.charge", new ConnectError("the deadline passed", Code.DeadlineExceeded));

    const err = await rejection(place(user));

    expect(err.code).toBe(Code.Unavailable);
    const order = await onlyOrderOf(user);
    expect(order?.state).toBe(OrderState.CANCELLED);
    expect(fakes.calls.voids).toContain(order?.id);
    fakes.clearFaults();
    // The Charge that timed out lands now: the void is there first.
    const late = await rejection(
      payments.charge({ idempotencyKey: order?.id ?? "", amount: amount(700 + fakes.shippingCents), card: testCards.succeeds }),
    );
    expect(late.code).toBe(Code.FailedPrecondition);
    expect(chargesOf(order?.id ?? "")).toEqual([]);
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 5, reserved: 0 });
  });

  it("cancels the shipment by order id when CreateShipment took effect but timed out; the charge is refunded", async () => {
    const { user, items } = shopperWithCart({ priceCents: 1100, stock: 3, quantity: 1 });
    fakes.failAfterWith("shipping.createShipment", new ConnectError("the deadline passed", Code.DeadlineExceeded));

    const err = await rejection(place(user));

    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toContain("shipping service is unavailable");
    const order = await onlyOrderOf(user);
    expect(order).toMatchObject({ state: OrderState.CANCELLED, shipmentId: "" });
    expect(fakes.calls.shipmentCancels).toContain(order?.id);
    const { shipment } = await shipping.getShipment({ lookup: { case: "orderId", value: order?.id ?? "" } });
    expect(shipment?.status).toBe(ShipmentStatus.CANCELLED);
    expect(refundsOf(order)).toEqual([{ paymentId: order?.paymentId, cents: 1100 + fakes.shippingCents }]);
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 3, reserved: 0 });
  });

  it("keeps voiding in the background while payment is down: UNAVAILABLE at once, CANCELLED and refunded once it is back", async () => {
    const { user, items } = shopperWithCart({ priceCents: 600, stock: 4, quantity: 1 });
    fakes.failAfterWith("payment.charge", new ConnectError("the deadline passed", Code.DeadlineExceeded));
    fakes.failWith("payment.voidCharge", new ConnectError("connection refused", Code.Unavailable));

    const err = await rejection(place(user));

    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toContain("will be cancelled once its compensation completes");
    const order = await onlyOrderOf(user);
    expect(order?.state).toBe(OrderState.RESERVED);
    // The stock is not released before the charge is voided.
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 3, reserved: 1 });
    fakes.clearFaults();
    await eventually(async () => (await onlyOrderOf(user))?.state === OrderState.CANCELLED, { timeoutMs: 8_000, what: "CANCELLED" });
    expect((await paymentOf(order?.id ?? ""))?.status).toBe(PaymentStatus.REFUNDED);
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 4, reserved: 0 });
  });
});

describe("PlaceOrder slower than its caller's deadline", () => {
  it("answers before the deadline with the order as it stands; GetOrder later shows it CONFIRMED", async () => {
    const { user } = shopperWithCart({ priceCents: 1000, stock: 5, quantity: 1 });
    // Each step within the order's 2 s downstream timeout, the saga longer than the caller's 2.5 s
    // deadline (which leaves 250 ms for the answer's way back, enough on a busy machine).
    fakes.delay("payment.charge", 1_600);
    fakes.delay("shipping.createShipment", 1_600);
    const started = Date.now();

    const { order } = await orders.placeOrder(
      { requestId: requestId(), shippingAddress: testAddress, card: testCards.succeeds },
      { ...asUser(user), timeoutMs: 2_500 },
    );

    expect(Date.now() - started).toBeLessThan(2_500);
    expect(order?.id).toMatch(/^ord_/);
    expect([OrderState.RESERVED, OrderState.PAID]).toContain(order?.state);
    const confirmed = await eventually(
      async () => {
        const { order: now } = await orders.getOrder({ orderId: order?.id ?? "" }, asUser(user));
        return now?.state === OrderState.CONFIRMED ? now : undefined;
      },
      { timeoutMs: 8_000, what: "the order CONFIRMED" },
    );
    expect(chargesOf(confirmed.id)).toHaveLength(1);
  });

  it("answers a retry of the same request id before its own deadline, while the first call still runs", async () => {
    const { user } = shopperWithCart({ priceCents: 1000, stock: 5, quantity: 1 });
    fakes.delay("payment.charge", 1_600);
    fakes.delay("shipping.createShipment", 1_600);
    const id = requestId();
    const first = place(user, id);
    await eventually(async () => (await allOrdersOf(orders, asUser(user))).length === 1, { timeoutMs: 2_000, what: "the order recorded" });

    const { order: again } = await orders.placeOrder(
      { requestId: id, shippingAddress: testAddress, card: testCards.succeeds },
      { ...asUser(user), timeoutMs: 2_000 },
    );

    expect(again?.state).not.toBe(OrderState.CONFIRMED);
    const { order } = await first;
    expect(order).toMatchObject({ id: again?.id, state: OrderState.CONFIRMED });
  });
});

describe("PlaceOrder retried", () => {
  it("returns the same order for the same request id, charging once, even with another card", async () => {
    const { user, items } = shopperWithCart({ priceCents: 1000, stock: 10, quantity: 2 });
    const id = requestId();

    const first = await place(user, id);
    const again = await place(user, id, testCards.declined);

    expect(first.order?.state).toBe(OrderState.CONFIRMED);
    expect(again.order).toEqual(first.order);
    expect(await allOrdersOf(orders, asUser(user))).toHaveLength(1);
    expect(chargesOf(first.order?.id ?? "")).toHaveLength(1);
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 8, reserved: 0 });
  });

  it("runs the saga once for two calls at once with the same request id", async () => {
    const { user, items } = shopperWithCart({ priceCents: 1000, stock: 10, quantity: 2 });
    const id = requestId();

    const [a, b] = await Promise.all([place(user, id), place(user, id)]);

    expect(a.order?.state).toBe(OrderState.CONFIRMED);
    expect(b.order).toEqual(a.order);
    expect(chargesOf(a.order?.id ?? "")).toHaveLength(1);
    expect(fakes.stockOf(items[0]?.sku ?? "")).toEqual({ available: 8, reserved: 0 });
  });

  it("fails a request id whose order was cancelled with FAILED_PRECONDITION CANCELLED; a new request id places anew", async () => {
    const { user } = shopperWithCart({ priceCents: 1000, stock: 10, quantity: 1 });
    const id = requestId();
    await rejection(place(user, id, testCards.declined));
    const cancelled = await onlyOrderOf(user);

    const err = await rejection(place(user, id));

    expect(err.code).toBe(Code.FailedPrecondition);
    expect(preconditionViolations(err)).toEqual([
      { type: "CANCELLED", subject: `order/${cancelled?.id}`, description: "payment declined: insufficient funds" },
    ]);
    const { order } = await place(user, requestId());
    expect(order?.state).toBe(OrderState.CONFIRMED);
    expect(order?.id).not.toBe(cancelled?.id);
  });
});

describe("PlaceOrder's own checks, before any other service is called", () => {
  it("answers UNAUTHENTICATED without an identity", async () => {
    const err = await rejection(orders.placeOrder({ requestId: requestId(), shippingAddress: testAddress, card: testCards.succeeds }));
    expect(err.code).toBe(Code.Unauthenticated);
  });

  it("answers INVALID_ARGUMENT naming each bad field, without reading the cart", async () => {
    const { user } = shopperWithCart({ priceCents: 500, stock: 10, quantity: 1 });
    const err = await rejection(
      orders.placeOrder(
        { requestId: "has space", shippingAddress: { ...testAddress, postalCode: "ABC" }, card: { ...testCards.succeeds, cvc: "12" } },
        asUser(user),
      ),
    );
    expect([err.code, fieldViolations(err).map((v) => v.field)]).toEqual([
      Code.InvalidArgument,
      ["request_id", "shipping_address.postal_code", "card.cvc"],
    ]);
    expect(fakes.calls.cartReadsFor).not.toContain(user);
    expect(await allOrdersOf(orders, asUser(user))).toEqual([]);
  });
});
