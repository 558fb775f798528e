// Benchmark (not a test): what the events cost and carry. One shop (one replica each, tracing
// off). (1) Latency: orders placed one after another, each by its own user with a Subscribe
// stream open; the time from the order's CONFIRMED write (its update_time) to its notification on
// the stream, beside the synchronous call the saga made before (SendNotification, answered and
// then seen on the stream). (2) Throughput through the outbox: with the broker stopped, orders are
// placed and their events wait in the outbox; then the broker starts and the time until every
// notification was made gives events per second (the relay's sweep, publish, consume, apply).
// (3) The broker's memory, idle and after that. Rewrites its section of docs/benchmarks.md.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { jetstreamManager } from "@nats-io/jetstream";
import { Code, ConnectError } from "@connectrpc/connect";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { NotificationKind, NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderConfirmedSchema } from "@shopmesh/gen/shop/order/v1/events_pb.js";
import { OrderService, OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { createGrpcClient, identityHeader } from "@shopmesh/kit";
import { connectAsAdmin, consumerReports, startShop, type RunningShop } from "../src/index.js";
import { writeBenchSection } from "@shopmesh/launcher";

const base = Number(process.env["BENCH_PORT_BASE"] ?? "7800");
const latencyOrders = Number(process.env["BENCH_EVENT_ORDERS"] ?? "60");
const backlogOrders = Number(process.env["BENCH_EVENT_BACKLOG"] ?? "150");

const card = { number: "4242 4242 4242 4242", expMonth: 12, expYear: 2030, cvc: "123" };
const address = {
  recipientName: "Bench Shopper",
  streetLines: ["1 Loopback Way"],
  city: "Springfield",
  postalCode: "12345",
  regionCode: "US",
};
const asUser = (userId: string) => ({ headers: new Headers({ [identityHeader]: userId }) });
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
}

interface Results {
  readonly event: readonly number[];
  /** Of each: from the CONFIRMED write's start to the broker's timestamp of the publish. */
  readonly toPublish: readonly number[];
  /** And from there to the notification on the stream. */
  readonly fromPublish: readonly number[];
  readonly syncAnswer: readonly number[];
  readonly syncSeen: readonly number[];
  readonly backlog: { readonly orders: number; readonly drainMs: number; readonly placedPerSecond: number };
  readonly brokerIdleMiB: number;
  readonly brokerAfterMiB: number;
}

/** The shop's services, called on their own sockets (as a seeding tool does), with the user in the identity header. */
function clientsOf(shop: RunningShop) {
  const options = { defaultTimeoutMs: 15_000 };
  return {
    catalog: createGrpcClient(CatalogService, shop.serviceAddress("catalog"), options),
    cart: createGrpcClient(CartService, shop.serviceAddress("cart"), options),
    order: createGrpcClient(OrderService, shop.serviceAddress("order"), options),
    notification: createGrpcClient(NotificationService, shop.serviceAddress("notification"), options),
  };
}
type Clients = ReturnType<typeof clientsOf>;

/** Resolves with the time the user's next notification arrives on a Subscribe stream opened now. */
async function nextNotification(clients: Clients, userId: string): Promise<{ arrived: Promise<number>; close(): void }> {
  const controller = new AbortController();
  const stream = clients.notification.subscribe({}, { ...asUser(userId), signal: controller.signal, timeoutMs: 60_000 });
  const iterator = stream[Symbol.asyncIterator]();
  const arrived = iterator.next().then(() => Date.now());
  arrived.catch(() => undefined);
  // The stream starts after the newest notification there is when the service reads its start:
  // give it that moment, so that the one measured is not before it.
  await wait(150);
  return { arrived, close: () => controller.abort() };
}

/** When the broker stored each of the last `count` events of ORDER_EVENTS, by order id. */
async function publishTimes(shop: RunningShop, count: number): Promise<Map<string, number>> {
  const nc = await connectAsAdmin(shop.topology, shop.dirs);
  try {
    const jsm = await jetstreamManager(nc);
    const last = (await jsm.streams.info("ORDER_EVENTS")).state.last_seq;
    const times = new Map<string, number>();
    for (let seq = Math.max(1, last - count + 1); seq <= last; seq++) {
      const message = await jsm.streams.getMessage("ORDER_EVENTS", { seq });
      if (message === null || message.subject !== OrderConfirmedSchema.typeName) continue;
      const orderId = fromBinary(OrderConfirmedSchema, message.data).order?.id ?? "";
      times.set(orderId, message.time.getTime());
    }
    return times;
  } finally {
    await nc.close();
  }
}

async function measure(): Promise<Results> {
  const runDir = mkdtempSync(join(os.tmpdir(), "shopmesh-bench-"));
  const shop = await startShop({ base, runDir, seedStock: 100_000, tracing: false, replicas: { catalog: 1, cart: 1, order: 1 } });
  const clients = clientsOf(shop);
  try {
    const broker = shop.running.find((r) => r.component.name === "broker");
    if (broker === undefined || shop.topology.broker === undefined) throw new Error("the shop runs no broker");
    const monitor = `http://127.0.0.1:${shop.topology.broker.monitorPort}`;
    const brokerIdleMiB = rssMiB(broker.pid);
    const { products } = await clients.catalog.listProducts({ pageSize: 1 });
    const productId = products[0]?.id ?? "";
    let users = 0;
    /** Places an order for a new user; `confirmed`: it must be CONFIRMED when PlaceOrder answers. */
    const placeFor = async (confirmed = true): Promise<{ userId: string; orderId: string; updateMs: number }> => {
      const userId = `bench-events-${++users}`;
      await clients.cart.addItem({ productId, quantity: 1 }, asUser(userId));
      // UNAVAILABLE (a callee too slow on a busy machine) records nothing: a client tries again with a new request id.
      const place = (attempt: number) =>
        clients.order.placeOrder({ requestId: `${userId}-${attempt}`, shippingAddress: address, card }, asUser(userId));
      const { order } = await place(1).catch((err: unknown) => {
        if (err instanceof ConnectError && err.code === Code.Unavailable) return wait(500).then(() => place(2));
        throw err;
      });
      if (confirmed && (order?.state !== OrderState.CONFIRMED || order.updateTime === undefined)) {
        process.stderr.write(shop.output("order").slice(-3000));
        throw new Error(`order of ${userId} is ${OrderState[order?.state ?? 0]}: ${order?.cancelReason ?? ""}`);
      }
      return { userId, orderId: order?.id ?? "", updateMs: order?.updateTime === undefined ? 0 : timestampMs(order.updateTime) };
    };

    // (1) From the CONFIRMED write to the notification on the user's stream, split at the publish.
    const timings: { orderId: string; updateMs: number; arrivedMs: number }[] = [];
    for (let i = 0; i < latencyOrders; i++) {
      const userId = `bench-events-${users + 1}`;
      const next = await nextNotification(clients, userId);
      const { orderId, updateMs } = await placeFor();
      timings.push({ orderId, updateMs, arrivedMs: await next.arrived });
      next.close();
    }
    const published = await publishTimes(shop, latencyOrders);
    const publishedAt = (orderId: string): number => {
      const at = published.get(orderId);
      if (at === undefined) throw new Error(`no OrderConfirmed of ${orderId} on the stream`);
      return at;
    };
    const event = timings.map((t) => t.arrivedMs - t.updateMs);
    const toPublish = timings.map((t) => publishedAt(t.orderId) - t.updateMs);
    const fromPublish = timings.map((t) => t.arrivedMs - publishedAt(t.orderId));
    // The synchronous call it replaces: SendNotification, then the same stream.
    const syncAnswer: number[] = [];
    const syncSeen: number[] = [];
    for (let i = 0; i < latencyOrders; i++) {
      const userId = `bench-sync-${i}`;
      const next = await nextNotification(clients, userId);
      const began = performance.now();
      const sentAt = Date.now();
      await clients.notification.sendNotification({ userId, kind: NotificationKind.ORDER_CONFIRMED, text: "Your order is confirmed." });
      syncAnswer.push(performance.now() - began);
      syncSeen.push((await next.arrived) - sentAt);
      next.close();
    }

    // (2) A backlog in the outbox while the broker is down, then drained.
    const notificationAcked = async () => (await consumerReports(monitor)).find((r) => r.consumer === "notification")?.ackFloor ?? 0;
    const before = await notificationAcked();
    await shop.stop("broker");
    const placing = Date.now();
    for (let done = 0; done < backlogOrders; done += 5) {
      // Each ends in its own time (a step after shipping may be retried): its event comes when it does.
      await Promise.all(Array.from({ length: Math.min(5, backlogOrders - done) }, () => placeFor(false)));
    }
    const placedPerSecond = backlogOrders / ((Date.now() - placing) / 1000);
    await shop.restart("broker");
    const restarted = Date.now();
    while ((await notificationAcked()) < before + backlogOrders) {
      if (Date.now() - restarted > 120_000) throw new Error("the backlog did not drain within 2 minutes");
      await wait(50);
    }
    const drainMs = Date.now() - restarted;
    const restartedBroker = shop.running.find((r) => r.component.name === "broker");
    return {
      event,
      toPublish,
      fromPublish,
      syncAnswer,
      syncSeen,
      backlog: { orders: backlogOrders, drainMs, placedPerSecond },
      brokerIdleMiB,
      brokerAfterMiB: restartedBroker === undefined ? 0 : rssMiB(restartedBroker.pid),
    };
  } finally {
    for (const client of Object.values(clients)) client.close();
    await shop.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** The `q` quantile of `values` (nearest rank). */
function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
const ms = (values: readonly number[], q: number): string => `${percentile(values, q).toFixed(1)} ms`;

const r = await measure();
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const section = `<!-- bench-events:start -->
## Events: from a state change to the customer's screen

\`make bench-events\` (packages/devstack/bench/events-bench.ts), one run on ${os.cpus().length} × ${cpu}, Node ${process.version}:
one shop, one replica of each service, tracing off, the services called on their own sockets.

| path | p50 | p99 |
| --- | --- | --- |
| event: order's CONFIRMED write → notification on the user's Subscribe stream | ${ms(r.event, 0.5)} | ${ms(r.event, 0.99)} |
| of which: the write itself (the order log entry with the event, in FerretDB), then the relay's publish, until the broker stored it | ${ms(r.toPublish, 0.5)} | ${ms(r.toPublish, 0.99)} |
| of which: stored by the broker → delivered to notification, applied (Lua), on the user's stream | ${ms(r.fromPublish, 0.5)} | ${ms(r.fromPublish, 0.99)} |
| synchronous, as the saga called before: SendNotification answered | ${ms(r.syncAnswer, 0.5)} | ${ms(r.syncAnswer, 0.99)} |
| synchronous: SendNotification sent → notification on the stream | ${ms(r.syncSeen, 0.5)} | ${ms(r.syncSeen, 0.99)} |

${r.event.length} orders one after another, each by its own user with its stream open; the same number of SendNotification calls.
The synchronous call started after the order's final write, as the saga made it; the event's
time starts before that write (the order's update_time), so the first part includes it. The
event path no longer adds anything to PlaceOrder itself, which used to make the call in the background.

| outbox throughput | value |
| --- | --- |
| orders placed while the broker was stopped (their events waiting in the outbox) | ${r.backlog.orders}, at ${r.backlog.placedPerSecond.toFixed(0)} orders/s |
| broker started → every one of them notified | ${(r.backlog.drainMs / 1000).toFixed(1)} s (${((r.backlog.orders / r.backlog.drainMs) * 1000).toFixed(0)} events/s, including the broker's start and the relay's 1 s sweep) |
| broker (nats-server) RSS idle / after the backlog | ${r.brokerIdleMiB.toFixed(0)} MiB / ${r.brokerAfterMiB.toFixed(0)} MiB |

What bounds both: FerretDB on SQLite, which takes writes one at a time. Each order is about eight
order-log entries, and each event's mark is one more entry and a view update; the broker and the
consumers are idle meanwhile. No event was lost or applied twice in the run: the drain waits for the
notification consumer to acknowledge exactly the backlog, and the tests
(services/order/test/order-events.test.ts) check one notification per order through the same outage.
<!-- bench-events:end -->`;
process.stdout.write(`${section}\n`);
process.stdout.write(`wrote ${writeBenchSection("events", section)}\n`);
