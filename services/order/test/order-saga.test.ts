// The order service against the real shop (every service a real process): placing orders down
// every path of the saga, idempotency, cancellation rules, reading and paging, bad inputs, and
// grpcurl. The invariants are checked after every test that places orders.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, type ConnectError } from "@connectrpc/connect";
import { MongoClient } from "mongodb";
import { NotificationKind } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderState, type Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { PaymentStatus } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { fieldViolations, identityHeader } from "@shopmesh/kit";
import { asUser, eventually, grpcurl, preconditionViolations, rejection, testAddress, testCards, type TestCard } from "@shopmesh/testkit";
import { allOrders, fillCart, newProduct, newRequestId, notificationKinds, type TestProduct } from "./support/fixtures.js";
import { createLedger, type Ledger } from "./support/invariants.js";
import { startOrderShop, type Shop } from "./support/shop.js";
import { orderIdFor } from "../src/order.js";

let shop: Shop;
let ledger: Ledger;

beforeAll(async () => {
  shop = await startOrderShop();
  ledger = createLedger(shop);
}, 90_000);

afterAll(async () => {
  await shop?.stop();
});

const cents = (m: { units: bigint; nanos: number } | undefined) => (m === undefined ? NaN : Number(m.units) * 100 + m.nanos / 10_000_000);

async function stockOf(sku: string) {
  const { stock } = await shop.clients.inventory.getStock({ sku });
  return { available: stock?.available, reserved: stock?.reserved };
}

async function cartLines(userId: string) {
  const { cart } = await shop.clients.cart.getCart({}, asUser(userId));
  return (cart?.lines ?? []).map((l) => ({ productId: l.productId, quantity: l.quantity }));
}

function place(userId: string, requestId = newRequestId(), card: TestCard = testCards.succeeds) {
  return shop.clients.order.placeOrder({ requestId, shippingAddress: testAddress, card }, asUser(userId));
}

/** A user with `quantity` of a fresh product (price, stock) in the cart. */
async function userWithCart(priceCents = 1250, stock = 10, quantity = 2): Promise<{ user: string; product: TestProduct }> {
  const user = ledger.user();
  const product = await newProduct(shop, ledger, priceCents, stock);
  await fillCart(shop, user, [{ product, quantity }]);
  return { user, product };
}

describe("PlaceOrder", () => {
  afterEach(() => ledger.check());

  it("confirms an order: priced from the catalog, charged, shipped, stock committed, cart emptied, customer notified", async () => {
    const user = ledger.user();
    const mug = await newProduct(shop, ledger, 1250, 10);
    const tee = await newProduct(shop, ledger, 1999, 5);
    await fillCart(shop, user, [
      { product: mug, quantity: 2 },
      { product: tee, quantity: 1 },
    ]);
    // The catalog's price at placement counts, not the copy the cart took.
    await shop.clients.catalog.upsertProduct({
      product: { id: tee.id, sku: tee.sku, name: "Test tee", price: { currencyCode: "USD", units: 21n, nanos: 500_000_000 } },
    });
    const requestId = newRequestId();

    const { order } = await place(user, requestId);

    expect(order).toMatchObject({ userId: user, requestId, state: OrderState.CONFIRMED, cancelReason: "" });
    expect(order?.lines.map((l) => [l.productId, l.sku, l.name, l.quantity, cents(l.unitPrice), cents(l.lineTotal)])).toEqual([
      [mug.id, mug.sku, expect.stringContaining("Test product"), 2, 1250, 2500],
      [tee.id, tee.sku, "Test tee", 1, 2150, 2150],
    ]);
    const { cost } = await shop.clients.shipping.getQuote({
      address: testAddress,
      items: [
        { sku: mug.sku, quantity: 2 },
        { sku: tee.sku, quantity: 1 },
      ],
    });
    expect(cents(order?.subtotal)).toBe(4650);
    expect(cents(order?.shippingCost)).toBe(cents(cost));
    expect(cents(order?.total)).toBe(4650 + cents(cost));
    expect(order?.total?.currencyCode).toBe("USD");
    expect(order?.shippingAddress).toMatchObject({ ...testAddress, streetLines: [...testAddress.streetLines] });
    expect(order?.paymentId).not.toBe("");
    expect(order?.shipmentId).not.toBe("");
    expect(order?.trackingId).not.toBe("");
    expect(order?.createTime).toBeDefined();
    expect(order?.updateTime).toBeDefined();

    const { payment } = await shop.clients.payment.getPayment({ lookup: { case: "idempotencyKey", value: order?.id ?? "" } });
    expect(payment).toMatchObject({ id: order?.paymentId, status: PaymentStatus.CAPTURED, cardLast4: "4242" });
    expect(await cartLines(user)).toEqual([]);
    expect(await stockOf(mug.sku)).toEqual({ available: 8, reserved: 0 });
    expect(await stockOf(tee.sku)).toEqual({ available: 4, reserved: 0 });
    const { order: read } = await shop.clients.order.getOrder({ orderId: order?.id ?? "" }, asUser(user));
    expect(read).toEqual(order);
    await eventually(async () => (await notificationKinds(shop, user, order?.id ?? "")).includes(NotificationKind.ORDER_CONFIRMED), {
      what: "the confirmation notification",
    });
    // Its log: one entry per state, the steps after shipping written with the confirmation.
    const client = new MongoClient(shop.mongo.url);
    try {
      const log = client.db("orders").collection<{ _id: string; seq: number; set: Record<string, unknown> }>("order_log");
      const entries = await Promise.all([1, 2, 3, 4, 5].map((seq) => log.findOne({ _id: `${order?.id}/${seq}` })));
      expect(entries.map((entry) => entry?.set["state"] ?? null)).toEqual(["RESERVED", "PAID", "SHIPPED", "CONFIRMED", null]);
      expect(entries[3]?.set).toMatchObject({ committed: true, cartEmptied: true });
    } finally {
      await client.close();
    }
  });

  it("fails a declined card with FAILED_PRECONDITION PAYMENT: the order is CANCELLED, the stock back, the cart intact", async () => {
    const { user, product } = await userWithCart(1250, 10, 3);

    const err = await rejection(place(user, newRequestId(), testCards.declined));

    expect(err.code).toBe(Code.FailedPrecondition);
    const [order] = await allOrders(shop, user);
    expect(order).toMatchObject({ state: OrderState.CANCELLED, cancelReason: "payment declined: insufficient funds", shipmentId: "" });
    expect(order?.paymentId).not.toBe("");
    expect(preconditionViolations(err)).toEqual([{ type: "PAYMENT", subject: `order/${order?.id}`, description: "insufficient funds" }]);
    expect(await stockOf(product.sku)).toEqual({ available: 10, reserved: 0 });
    expect(await cartLines(user)).toEqual([{ productId: product.id, quantity: 3 }]);
    await eventually(async () => (await notificationKinds(shop, user, order?.id ?? "")).includes(NotificationKind.ORDER_CANCELLED), {
      what: "the cancellation notification",
    });
  });

  it("fails short stock with FAILED_PRECONDITION STOCK naming the SKU, and charges nothing", async () => {
    const user = ledger.user();
    const plenty = await newProduct(shop, ledger, 500, 10);
    const scarce = await newProduct(shop, ledger, 700, 1);
    await fillCart(shop, user, [
      { product: plenty, quantity: 2 },
      { product: scarce, quantity: 3 },
    ]);

    const err = await rejection(place(user));

    expect(err.code).toBe(Code.FailedPrecondition);
    expect(preconditionViolations(err)).toEqual([{ type: "STOCK", subject: `sku/${scarce.sku}`, description: "requested 3, available 1" }]);
    const [order] = await allOrders(shop, user);
    expect(order?.state).toBe(OrderState.CANCELLED);
    expect(order?.cancelReason).toContain(`out of stock: ${scarce.sku}`);
    const payment = await rejection(shop.clients.payment.getPayment({ lookup: { case: "idempotencyKey", value: order?.id ?? "" } }));
    expect(payment.code).toBe(Code.NotFound);
    expect(await stockOf(plenty.sku)).toEqual({ available: 10, reserved: 0 });
    expect(await cartLines(user)).toHaveLength(2);
  });

  it("answers UNAVAILABLE when the card processor is down, and cancels the order with its stock released", async () => {
    const { user, product } = await userWithCart(1250, 10, 2);

    const err = await rejection(place(user, newRequestId(), testCards.processorDown));

    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toContain("payment service is unavailable");
    const [order] = await allOrders(shop, user);
    expect(order?.state).toBe(OrderState.CANCELLED);
    expect(order?.cancelReason).toContain("payment service unavailable");
    expect(await stockOf(product.sku)).toEqual({ available: 10, reserved: 0 });
    expect(await cartLines(user)).toHaveLength(1);
  });

  it("fails an empty cart with FAILED_PRECONDITION CART and records no order", async () => {
    const user = ledger.user();
    const err = await rejection(place(user));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(preconditionViolations(err)).toEqual([{ type: "CART", subject: "cart", description: expect.any(String) }]);
    expect(await allOrders(shop, user)).toEqual([]);
  });

  it("refuses a cart in a three-decimal currency (BHD 1.005) that shipping does not quote in: FAILED_PRECONDITION CURRENCY, nothing recorded", async () => {
    const user = ledger.user();
    const product = await newProduct(shop, ledger, 1000, 10);
    // The catalog and the cart accept a price in whole fils (BHD has three decimals).
    await shop.clients.catalog.upsertProduct({
      product: { id: product.id, sku: product.sku, name: "Test dates", price: { currencyCode: "BHD", units: 1n, nanos: 5_000_000 } },
    });
    await fillCart(shop, user, [{ product, quantity: 2 }]);
    const { cart } = await shop.clients.cart.getCart({}, asUser(user));
    expect(cart?.subtotal).toMatchObject({ currencyCode: "BHD", units: 2n, nanos: 10_000_000 });

    const err = await rejection(place(user));

    expect(err.code).toBe(Code.FailedPrecondition);
    expect(preconditionViolations(err)).toEqual([{ type: "CURRENCY", subject: "shipping", description: "quoted in USD, not BHD" }]);
    expect(await allOrders(shop, user)).toEqual([]);
    expect(await stockOf(product.sku)).toEqual({ available: 10, reserved: 0 });
    expect(await cartLines(user)).toEqual([{ productId: product.id, quantity: 2 }]);
  });

  it("returns the same order for the same request id, charging once", async () => {
    const { user, product } = await userWithCart(1000, 10, 2);
    const requestId = newRequestId();

    const first = await place(user, requestId);
    expect(first.order?.id).toBe(orderIdFor(user, requestId));
    // The cart is empty now; the repeated call still answers with the first order.
    const again = await place(user, requestId, testCards.declined);

    expect(again.order).toEqual(first.order);
    expect(await allOrders(shop, user)).toHaveLength(1);
    expect(await stockOf(product.sku)).toEqual({ available: 8, reserved: 0 });
  });

  it("answers a repeated request id with its order recorded under a random id, as orders once were", async () => {
    const { user } = await userWithCart(1000, 10, 1);
    const requestId = newRequestId();
    const { order: first } = await place(user, requestId);
    const client = new MongoClient(shop.mongo.url);
    const orders = client.db("orders").collection<{ _id: string }>("orders");
    const stored = await orders.findOne({ _id: first?.id ?? "" });
    try {
      await orders.deleteOne({ _id: first?.id ?? "" });
      await orders.insertOne({ ...stored, _id: "ord_recorded_before_ids" });
      // The cart is empty now, so pricing it fails: the order of the request id is the answer.
      const { order: again } = await place(user, requestId);
      expect(again).toMatchObject({ id: "ord_recorded_before_ids", state: OrderState.CONFIRMED, total: first?.total });
    } finally {
      await orders.deleteOne({ _id: "ord_recorded_before_ids" });
      if (stored !== null) await orders.insertOne(stored);
      await client.close();
    }
  });

  it("runs the saga once for two calls at once with the same request id", async () => {
    const { user, product } = await userWithCart(1000, 10, 2);
    const requestId = newRequestId();

    const [a, b] = await Promise.all([place(user, requestId), place(user, requestId)]);

    expect(a.order?.state).toBe(OrderState.CONFIRMED);
    expect(b.order).toEqual(a.order);
    expect(await allOrders(shop, user)).toHaveLength(1);
    // One reservation (two units taken once) and one payment for the order id.
    expect(await stockOf(product.sku)).toEqual({ available: 8, reserved: 0 });
    const { payment } = await shop.clients.payment.getPayment({ lookup: { case: "idempotencyKey", value: a.order?.id ?? "" } });
    expect(payment?.id).toBe(a.order?.paymentId);
  });

  it("fails a request id whose order was cancelled with FAILED_PRECONDITION CANCELLED; a new request id places anew", async () => {
    const { user } = await userWithCart(1000, 10, 1);
    const requestId = newRequestId();
    await rejection(place(user, requestId, testCards.declined));
    const [cancelled] = await allOrders(shop, user);

    const err = await rejection(place(user, requestId, testCards.succeeds));

    expect(err.code).toBe(Code.FailedPrecondition);
    expect(preconditionViolations(err)).toEqual([
      { type: "CANCELLED", subject: `order/${cancelled?.id}`, description: "payment declined: insufficient funds" },
    ]);
    const { order } = await place(user, newRequestId(), testCards.succeeds);
    expect(order?.state).toBe(OrderState.CONFIRMED);
    expect(order?.id).not.toBe(cancelled?.id);
  });

  it("rejects a bad address before recording anything, cart or not", async () => {
    const { user } = await userWithCart();
    const err = await rejection(
      shop.clients.order.placeOrder(
        { requestId: newRequestId(), shippingAddress: { ...testAddress, postalCode: "ABC" }, card: testCards.succeeds },
        asUser(user),
      ),
    );
    expect(err.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(err).map((v) => v.field)).toEqual(["shipping_address.postal_code"]);
    expect(await allOrders(shop, user)).toEqual([]);
  });
});

describe("CancelOrder", () => {
  afterEach(() => ledger.check());

  it("refuses a CONFIRMED order with FAILED_PRECONDITION STATE", async () => {
    const { user } = await userWithCart();
    const { order } = await place(user);

    const err = await rejection(shop.clients.order.cancelOrder({ orderId: order?.id ?? "" }, asUser(user)));

    expect(err.code).toBe(Code.FailedPrecondition);
    expect(preconditionViolations(err)).toEqual([
      { type: "STATE", subject: `order/${order?.id}`, description: expect.stringContaining("CONFIRMED") },
    ]);
  });

  it("lets a cancellation race a running saga: the order ends cancelled or confirmed, and both calls agree", async () => {
    const { user, product } = await userWithCart(1000, 10, 2);
    const placing = place(user).then(
      (res) => ({ order: res.order, err: undefined }),
      (err: unknown) => ({ order: undefined, err: err as ConnectError }),
    );
    let orderId: string | undefined;
    while (orderId === undefined) {
      orderId = (await shop.clients.order.listOrders({}, asUser(user))).orders[0]?.id;
    }
    const cancelling = shop.clients.order.cancelOrder({ orderId, reason: "too slow" }, asUser(user)).then(
      (res) => ({ order: res.order, err: undefined }),
      (err: unknown) => ({ order: undefined, err: err as ConnectError }),
    );
    const [placed, cancelled] = await Promise.all([placing, cancelling]);

    if (cancelled.order !== undefined) {
      expect(cancelled.order).toMatchObject({ state: OrderState.CANCELLED, cancelReason: "too slow" });
      expect(placed.err?.code).toBe(Code.FailedPrecondition);
      expect(preconditionViolations(placed.err as ConnectError)).toEqual([
        { type: "CANCELLED", subject: `order/${orderId}`, description: "too slow" },
      ]);
      expect(await stockOf(product.sku)).toEqual({ available: 10, reserved: 0 });
    } else {
      expect(placed.order?.state).toBe(OrderState.CONFIRMED);
      expect(cancelled.err?.code).toBe(Code.FailedPrecondition);
      expect(preconditionViolations(cancelled.err as ConnectError)[0]?.type).toBe("STATE");
    }
  });

  it("returns a CANCELLED order unchanged, keeping its first reason", async () => {
    const { user } = await userWithCart();
    await rejection(place(user, newRequestId(), testCards.declined));
    const [cancelled] = await allOrders(shop, user);

    const { order } = await shop.clients.order.cancelOrder({ orderId: cancelled?.id ?? "", reason: "changed my mind" }, asUser(user));

    expect(order).toEqual(cancelled);
    expect(order?.cancelReason).toBe("payment declined: insufficient funds");
  });
});

describe("reading orders", () => {
  it("hides another user's order: NOT_FOUND from GetOrder and CancelOrder", async () => {
    const { user } = await userWithCart();
    const { order } = await place(user);
    const stranger = ledger.user();
    for (const call of [
      shop.clients.order.getOrder({ orderId: order?.id ?? "" }, asUser(stranger)),
      shop.clients.order.cancelOrder({ orderId: order?.id ?? "" }, asUser(stranger)),
      shop.clients.order.getOrder({ orderId: "ord_does_not_exist" }, asUser(user)),
    ]) {
      const err = await rejection(call);
      expect(err.code).toBe(Code.NotFound);
    }
    expect(await allOrders(shop, stranger)).toEqual([]);
    await ledger.check();
  });

  it("lists the caller's orders newest first, page by page, unshifted by orders placed meanwhile", async () => {
    const user = ledger.user();
    const product = await newProduct(shop, ledger, 300, 100);
    const placed: Order[] = [];
    const placeOne = async () => {
      await fillCart(shop, user, [{ product, quantity: 1 }]);
      const { order } = await place(user);
      if (order === undefined) throw new Error("no order");
      placed.push(order);
    };
    for (let i = 0; i < 5; i++) await placeOne();
    const newestFirst = [...placed].reverse().map((o) => o.id);

    const first = await shop.clients.order.listOrders({ pageSize: 2 }, asUser(user));
    expect(first.orders.map((o) => o.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.nextPageToken).not.toBe("");
    await placeOne(); // newer than every listed order: must not appear on later pages
    const second = await shop.clients.order.listOrders({ pageSize: 2, pageToken: first.nextPageToken }, asUser(user));
    expect(second.orders.map((o) => o.id)).toEqual(newestFirst.slice(2, 4));
    const third = await shop.clients.order.listOrders({ pageSize: 2, pageToken: second.nextPageToken }, asUser(user));
    expect(third.orders.map((o) => o.id)).toEqual(newestFirst.slice(4));
    expect(third.nextPageToken).toBe("");

    const all = await shop.clients.order.listOrders({ pageSize: 0 }, asUser(user));
    expect(all.orders.map((o) => o.id)).toEqual([placed[5]?.id, ...newestFirst]);
    expect(all.nextPageToken).toBe("");

    const foreign = await rejection(shop.clients.order.listOrders({ pageToken: first.nextPageToken }, asUser(ledger.user())));
    expect(foreign.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(foreign).map((v) => v.field)).toEqual(["page_token"]);
    const tampered = await rejection(shop.clients.order.listOrders({ pageToken: `${first.nextPageToken}x` }, asUser(user)));
    expect(fieldViolations(tampered).map((v) => v.field)).toEqual(["page_token"]);
    await ledger.check();
  });
});

describe("bad input", () => {
  const user = "u-bad-input";
  const validPlace = { requestId: "req-1", shippingAddress: testAddress, card: testCards.succeeds };

  it("answers every RPC without identity with UNAUTHENTICATED", async () => {
    const calls = [
      shop.clients.order.placeOrder(validPlace),
      shop.clients.order.getOrder({ orderId: "ord_1" }),
      shop.clients.order.listOrders({}),
      shop.clients.order.cancelOrder({ orderId: "ord_1" }),
      shop.clients.order.getOrder({ orderId: "ord_1" }, { headers: { [identityHeader]: "" } }),
    ];
    for (const call of calls) expect((await rejection(call)).code).toBe(Code.Unauthenticated);
  });

  it("PlaceOrder: INVALID_ARGUMENT naming each bad field; no order is recorded", async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ requestId: "" }, ["request_id"]],
      [{ requestId: "x".repeat(65) }, ["request_id"]],
      [{ requestId: "has space" }, ["request_id"]],
      [{ shippingAddress: undefined }, ["shipping_address"]],
      [{ shippingAddress: { ...testAddress, regionCode: "XX" } }, ["shipping_address.region_code"]],
      [{ shippingAddress: { ...testAddress, streetLines: ["ok", " "] } }, ["shipping_address.street_lines[1]"]],
      [{ shippingAddress: { ...testAddress, recipientName: "", city: "" } }, ["shipping_address.recipient_name", "shipping_address.city"]],
      [{ card: undefined }, ["card"]],
      [{ card: { ...testCards.succeeds, number: "4242 4242 4242 4241" } }, ["card.number"]],
      [{ card: { ...testCards.succeeds, expMonth: 13 } }, ["card.exp_month"]],
      [{ card: { ...testCards.succeeds, expYear: 31 } }, ["card.exp_year"]],
      [{ card: { ...testCards.succeeds, expYear: 2001 } }, ["card.exp_year"]],
      [{ card: { ...testCards.succeeds, cvc: "12" } }, ["card.cvc"]],
      [{ requestId: "", card: { ...testCards.succeeds, cvc: "" } }, ["request_id", "card.cvc"]],
    ];
    for (const [patch, fields] of cases) {
      const err = await rejection(shop.clients.order.placeOrder({ ...validPlace, ...patch } as never, asUser(user)));
      expect([err.code, fieldViolations(err).map((v) => v.field)]).toEqual([Code.InvalidArgument, fields]);
    }
    expect(await allOrders(shop, user)).toEqual([]);
  });

  it("GetOrder, CancelOrder and ListOrders: INVALID_ARGUMENT naming each bad field", async () => {
    const cases: [Promise<unknown>, string[]][] = [
      [shop.clients.order.getOrder({ orderId: "" }, asUser(user)), ["order_id"]],
      [shop.clients.order.getOrder({ orderId: "x".repeat(65) }, asUser(user)), ["order_id"]],
      [shop.clients.order.cancelOrder({ orderId: "" }, asUser(user)), ["order_id"]],
      [shop.clients.order.cancelOrder({ orderId: "ord_1", reason: "x".repeat(201) }, asUser(user)), ["reason"]],
      [shop.clients.order.cancelOrder({ orderId: "x".repeat(65), reason: "x".repeat(201) }, asUser(user)), ["order_id", "reason"]],
      [shop.clients.order.listOrders({ pageSize: -1 }, asUser(user)), ["page_size"]],
      [shop.clients.order.listOrders({ pageToken: "garbage" }, asUser(user)), ["page_token"]],
    ];
    for (const [call, fields] of cases) {
      const err = await rejection(call);
      expect([err.code, fieldViolations(err).map((v) => v.field)]).toEqual([Code.InvalidArgument, fields]);
    }
  });
});

describe("grpcurl", () => {
  it("lists and describes the service and reads an order", async () => {
    const list = await grpcurl([shop.address.order, "list"]);
    expect(list.stdout).toContain("shop.order.v1.OrderService");
    const describeOut = await grpcurl([shop.address.order, "describe", "shop.order.v1.OrderService"]);
    expect(describeOut.stdout).toContain("rpc PlaceOrder");

    const { user } = await userWithCart();
    const { order } = await place(user);
    const read = await grpcurl(["-H", `${identityHeader}: ${user}`, shop.address.order, "shop.order.v1.OrderService/GetOrder"], {
      data: { order_id: order?.id },
    });
    expect(read.exitCode).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ order: { id: order?.id, state: "ORDER_STATE_CONFIRMED", userId: user } });

    const missing = await grpcurl(["-H", `${identityHeader}: ${user}`, shop.address.order, "shop.order.v1.OrderService/GetOrder"], {
      data: { order_id: "ord_nope" },
    });
    expect(missing.stderr).toContain("NotFound");
    await ledger.check();
  });
});
