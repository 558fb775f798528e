// The order events end to end, with every service and the broker a real process: an order's
// OrderConfirmed/OrderCancelled is recorded with its final state, published by the outbox relay,
// and consumed by notification (one notification per order) and inventory (units sold). Through
// broker and process crashes, redeliveries and a poison message, nothing is lost and nothing is
// applied twice; the invariants after every test check exactly that, for every order.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers } from "@nats-io/transport-node";
import { consumerReports, type ConsumerReport } from "@shopmesh/devstack";
import { OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { asUser, eventually, rejection, testAddress, testCards } from "@shopmesh/testkit";
import { fillCart, newProduct, newRequestId, type TestProduct } from "./support/fixtures.js";
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

afterEach(() => ledger.check(20_000));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function place(userId: string) {
  return shop.clients.order.placeOrder(
    { requestId: newRequestId(), shippingAddress: testAddress, card: testCards.succeeds },
    asUser(userId),
  );
}

async function userWithCart(product: TestProduct): Promise<string> {
  const user = ledger.user();
  await fillCart(shop, user, [{ product, quantity: 1 }]);
  return user;
}

async function notificationsAbout(userId: string, orderId: string) {
  const { notifications } = await shop.clients.notification.listNotifications({ pageSize: 100 }, asUser(userId));
  return notifications.filter((n) => n.text.includes(orderId));
}

async function consumer(name: string): Promise<ConsumerReport> {
  const report = (await consumerReports(shop.brokerMonitorUrl)).find((r) => r.stream === "ORDER_EVENTS" && r.consumer === name);
  if (report === undefined) throw new Error(`no consumer ORDER_EVENTS/${name}`);
  return report;
}

/** The sequence number of the last message on ORDER_EVENTS (0: none yet). */
async function lastOrderSeq(): Promise<number> {
  const nc = await shop.brokerAdmin();
  try {
    return (await (await jetstreamManager(nc)).streams.info("ORDER_EVENTS")).state.last_seq;
  } finally {
    await nc.close();
  }
}

/** The last message on ORDER_EVENTS, as the admin reads it. */
async function lastOrderEvent() {
  const nc = await shop.brokerAdmin();
  try {
    const message = await (await jetstreamManager(nc)).streams.getMessage("ORDER_EVENTS", { seq: await lastOrderSeq() });
    if (message === null) throw new Error("ORDER_EVENTS is empty");
    return message;
  } finally {
    await nc.close();
  }
}

describe("order events", () => {
  it("loses no event and applies none twice while the broker is SIGKILLed mid-flow and started again", async () => {
    const product = await newProduct(shop, ledger, 900, 50);
    const users = await Promise.all(Array.from({ length: 6 }, () => userWithCart(product)));
    const confirmed: string[] = [];
    for (const [i, user] of users.entries()) {
      if (i === 2) await shop.kill("broker");
      if (i === 4) await shop.start("broker");
      const { order } = await place(user);
      // Orders go on while the broker is down: its events wait in the outbox.
      expect(order?.state).toBe(OrderState.CONFIRMED);
      confirmed.push(order?.id ?? "");
    }
    // The ledger's check after this test waits for one notification per order and for `sold`.
    await eventually(async () => (await consumer("notification")).pending === 0, { timeoutMs: 20_000, what: "notification caught up" });
  }, 90_000);

  it("publishes the event of an order whose process died right after recording it CONFIRMED, once it is back", async () => {
    const product = await newProduct(shop, ledger, 1200, 5);
    const user = await userWithCart(product);
    await shop.kill("order");
    await shop.start("order", { SAGA_CRASH_AFTER: "CONFIRMED" });
    // The process SIGKILLs itself between its state write and the publish.
    expect((await rejection(place(user))).code).toBe(Code.Unavailable);
    // Nothing was published: nothing arrives while the process is down.
    await pause(1_500);
    expect(await notificationsAbout(user, "")).toEqual([]);

    await shop.start("order");
    const notified = await eventually(async () => (await notificationsAbout(user, ""))[0], {
      timeoutMs: 15_000,
      what: "the confirmation from the restarted process's outbox",
    });
    expect(notified.text).toContain("is confirmed");
  }, 60_000);

  it("makes one notification and counts the sale once when the same event is delivered twice", async () => {
    const product = await newProduct(shop, ledger, 700, 5);
    const user = await userWithCart(product);
    const { order } = await place(user);
    await eventually(async () => (await notificationsAbout(user, order?.id ?? "")).length === 1, { what: "the first delivery" });
    const event = await lastOrderEvent();
    expect(event.subject).toBe("shop.order.v1.OrderConfirmed");

    // The same event again under another message id, so the broker's own duplicate check lets it through.
    const nc = await shop.brokerAdmin();
    try {
      const h = headers();
      for (const [key, values] of event.header ?? []) for (const value of values) if (key !== "Nats-Msg-Id") h.append(key, value);
      const ack = await jetstream(nc).publish(event.subject, event.data, { headers: h, msgID: `again-${event.seq}` });
      // Both consumers were handed the copy and acknowledged it: the check below is not vacuous.
      await eventually(
        async () => (await consumer("notification")).ackFloor >= ack.seq && (await consumer("inventory")).ackFloor >= ack.seq,
        {
          what: "the copy consumed",
        },
      );
    } finally {
      await nc.close();
    }
    expect(await notificationsAbout(user, order?.id ?? "")).toHaveLength(1);
    const { stock } = await shop.clients.inventory.getStock({ sku: product.sku });
    expect(stock?.sold).toBe(1);
  });

  it("moves a poison message to each consumer's dead letters with the reason, and delivers the events after it", async () => {
    const product = await newProduct(shop, ledger, 500, 5);
    const before = await consumer("notification");
    const nc = await shop.brokerAdmin();
    try {
      const h = headers();
      h.set("ce-type", "shop.order.v1.OrderConfirmed");
      await jetstream(nc).publish("shop.order.v1.OrderConfirmed", new Uint8Array([0xff, 0xff, 0xff]), { headers: h });
    } finally {
      await nc.close();
    }
    const user = await userWithCart(product);
    const { order } = await place(user);
    await eventually(async () => (await notificationsAbout(user, order?.id ?? "")).length === 1, { what: "the event after the poison" });
    const after = await eventually(async () => {
      const report = await consumer("notification");
      return report.deadLetters > before.deadLetters ? report : undefined;
    });
    expect(after.deadLetters).toBe(before.deadLetters + 1);
    expect((await consumer("inventory")).deadLetters).toBeGreaterThanOrEqual(1);

    const admin = await shop.brokerAdmin();
    try {
      const jsm = await jetstreamManager(admin);
      const { state } = await jsm.streams.info("NOTIFICATION_DEAD_LETTERS");
      const dead = await jsm.streams.getMessage("NOTIFICATION_DEAD_LETTERS", { seq: state.last_seq });
      expect(dead?.subject).toBe("deadletter.notification.shop.order.v1.OrderConfirmed");
      expect(dead?.header.get("shop-dead-letter-reason")).toContain("not a valid shop.order.v1.OrderConfirmed");
    } finally {
      await admin.close();
    }
  });
});

describe("who may do what on the broker", () => {
  it("lets a service publish and consume only what the topology says", async () => {
    const last = await lastOrderSeq();
    const notification = await shop.brokerAs("notification");
    try {
      const js = jetstream(notification, { timeout: 2_000 });
      // Its own consumer it may read.
      expect((await (await js.consumers.get("ORDER_EVENTS", "notification")).info()).name).toBe("notification");
      // notification consumes order events; publishing one is not its to do, and nothing lands.
      await expect(js.publish("shop.order.v1.OrderConfirmed", new Uint8Array([1]))).rejects.toThrow(/Permissions Violation for Publish/);
      expect(await lastOrderSeq()).toBe(last);
      // Nor may it read inventory's consumer.
      await expect(js.consumers.get("ORDER_EVENTS", "inventory")).rejects.toThrow(/Permissions Violation for Publish/);
    } finally {
      await notification.close();
    }
  });

  it("refuses a client without a mesh certificate", async () => {
    const attempt = connect({ servers: shop.brokerUrl, tls: { caFile: `${shop.pkiDir}/ca.pem` }, timeout: 2_000, maxReconnectAttempts: 0 });
    // The TLS handshake fails (the broker requires a client certificate): the client never gets a connection.
    await expect(attempt).rejects.toThrow(/certificate|authorization|TLS|closed|timeout/i);
  });
});
