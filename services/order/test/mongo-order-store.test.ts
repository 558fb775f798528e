// The order store against a real FerretDB: uniqueness per user and request id, leases and
// conditional transitions under concurrency, documents stored before the order log, newest-first
// paging of each user's list, and outages as UNAVAILABLE. Two store instances racing: replica-store.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { MongoClient } from "mongodb";
import { createLogger } from "@shopmesh/kit";
import { connectMongo, type MongoStore } from "@shopmesh/stores/mongo";
import { startMongo, type TestStore } from "@shopmesh/testkit";
import { createMongoOrderStore } from "../src/store/mongo-order-store.js";
import { toDocument, type OrderDocument } from "../src/store/order-document.js";
import { entryId, type OrderLogEntry } from "../src/store/order-log.js";
import type { OrderRecord } from "../src/order.js";
import type { ListedOrder, OrderStore } from "../src/store/order-store.js";
import { createUserOrders } from "../src/store/user-orders.js";
import { orderRecord as order } from "./support/order-record.js";

const ids = (orders: readonly OrderRecord[]): string[] => orders.map((o) => o.id);

/** An event for `o`'s final state, as the saga makes one. */
const finalEvent = (o: OrderRecord, time = new Date()) => ({
  id: `evt_${o.id}`,
  orderId: o.id,
  type: "t",
  data: new Uint8Array([1]),
  time,
  trace: {},
});

/** Makes the database one no start has passed over yet, as one from before the markers and the lists. */
const forgetUpgrades = async (): Promise<void> => {
  await connection.db.collection("order_upgrades").deleteMany({});
};

let mongo: TestStore;
let connection: MongoStore;
let store: OrderStore;

beforeAll(async () => {
  mongo = await startMongo();
  connection = await connectMongo(mongo.url, "orders_store_test", createLogger("test", "silent"), { serverSelectionTimeoutMs: 1_000 });
  store = await createMongoOrderStore(connection);
}, 30_000);

afterAll(async () => {
  await connection?.close();
  await mongo?.dispose();
});

describe("the Mongo order store", () => {
  it("round-trips an order and finds it by id, by user and by request id", async () => {
    const o = order();
    expect(await store.insert(o)).toEqual({ kind: "inserted" });
    expect(await store.get(o.id)).toEqual(o);
    expect(await store.getForUser("u-1", o.id)).toEqual(o);
    expect(await store.getForUser("u-2", o.id)).toBeUndefined();
    expect(await store.findByRequest("u-1", o.requestId)).toEqual(o);
  });

  it("keeps one order per user and request id, and answers a repeat with the first", async () => {
    const first = order({ requestId: "same" });
    expect(await store.insert(first)).toEqual({ kind: "inserted" });
    expect(await store.insert(order({ requestId: "same", totalMinor: 1 }))).toEqual({ kind: "duplicate", existing: first });
    expect(await store.insert(order({ requestId: "same", userId: "u-2" }))).toEqual({ kind: "inserted" });
  });

  it("finds the order of a request recorded before order ids were made of the request id", async () => {
    const views = connection.db.collection<OrderDocument>("orders");
    const older = order({ id: "ord_random_before", requestId: "before" });
    await views.insertOne(toDocument(older));
    const repeat = order({ requestId: "before" });
    expect(repeat.id).not.toBe(older.id);
    expect(await store.insert(repeat)).toEqual({ kind: "duplicate", existing: older });
    expect(await store.get(repeat.id)).toBeUndefined();
    expect(await connection.db.collection("order_open").findOne({ _id: repeat.id as never })).toBeNull();
  });

  it("gives a free lease to exactly one of many runners at once", async () => {
    const o = order();
    await store.insert(o);
    const now = new Date();
    const until = new Date(Date.now() + 10_000);
    const winners = (await Promise.all(["a", "b", "c", "d"].map((owner) => store.acquireLease(o.id, owner, now, until)))).filter(
      (r) => r !== undefined,
    );
    expect(winners).toHaveLength(1);
    expect((await store.get(o.id))?.leaseOwner).toBe(winners[0]?.leaseOwner);
  });

  it("advances only with the expected state and lease, and never loses a cancellation racing it", async () => {
    const o = order({ leaseOwner: "me", leaseUntil: new Date(Date.now() + 10_000) });
    await store.insert(o);
    const now = new Date();
    const until = new Date(Date.now() + 10_000);
    expect(await store.advance(o.id, "PENDING", "someone-else", { state: "RESERVED" }, now, until)).toBeUndefined();
    expect(await store.advance(o.id, "PAID", "me", { state: "SHIPPED" }, now, until)).toBeUndefined();

    const [advanced] = await Promise.all([
      store.advance(o.id, "PENDING", "me", { state: "RESERVED" }, now, until),
      store.requestCancel("u-1", o.id, "changed my mind"),
    ]);

    expect(advanced).toMatchObject({ state: "RESERVED", leaseOwner: "me" });
    expect(await store.get(o.id)).toMatchObject({
      state: "RESERVED",
      cancelRequested: true,
      cancelReason: "changed my mind",
      leaseOwner: "me",
    });
    // Only one of two racing transitions out of the same state wins, and what it wrote stays.
    const racing = await Promise.all([
      store.advance(o.id, "RESERVED", "me", { state: "PAID", paymentId: "pay-1" }, now, until),
      store.advance(o.id, "RESERVED", "me", { state: "PAID", paymentId: "pay-2" }, now, until),
    ]);
    const winners = racing.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect(await store.get(o.id)).toMatchObject({ state: "PAID", paymentId: winners[0]?.paymentId });
  });

  it("keeps the first cancellation reason and does not cancel a shipped order", async () => {
    const o = order();
    await store.insert(o);
    await store.requestCancel("u-1", o.id, "first");
    expect((await store.requestCancel("u-1", o.id, "second"))?.cancelReason).toBe("first");
    const shipped = order({ state: "SHIPPED" });
    await store.insert(shipped);
    expect(await store.requestCancel("u-1", shipped.id, "too late")).toMatchObject({ state: "SHIPPED", cancelRequested: false });
    expect(await store.requestCancel("u-2", o.id, "not mine")).toBeUndefined();
  });

  it("keeps the customer's reason when the runner's own cancellation lands after it", async () => {
    const o = order({ leaseOwner: "me", leaseUntil: new Date(Date.now() + 10_000) });
    await store.insert(o);
    await store.requestCancel("u-1", o.id, "changed my mind");
    const now = new Date();
    const failed = await store.advance(
      o.id,
      "PENDING",
      "me",
      { cancelRequested: true, cancelReason: "out of stock: MUG-1", released: true },
      now,
      new Date(Date.now() + 10_000),
    );
    expect(failed).toMatchObject({ cancelRequested: true, cancelReason: "changed my mind", released: true });
  });

  it("reads and moves on an order stored before the log existed (no sequence number)", async () => {
    const o = order();
    const { seq: _, ...legacy } = toDocument(o);
    await connection.db.collection<Omit<OrderDocument, "seq">>("orders").insertOne(legacy);
    expect(await store.get(o.id)).toEqual(o);
    const now = new Date();
    const until = new Date(Date.now() + 10_000);
    expect(await store.acquireLease(o.id, "r", now, until)).toMatchObject({ leaseOwner: "r" });
    expect(await store.advance(o.id, "PENDING", "r", { state: "RESERVED" }, now, until)).toMatchObject({ state: "RESERVED" });
    // Listed from the store's next start on.
    await forgetUpgrades();
    const restarted = await createMongoOrderStore(connection);
    await restarted.listed;
    expect((await restarted.list("u-1", 1_000, undefined)).find((l) => l.order.id === o.id)?.order).toMatchObject({
      state: "RESERVED",
      leaseOwner: "r",
    });
  });

  it("decides on the log, not on a view its writer died before updating, and repairs a final order's view", async () => {
    const o = order({ state: "PAID" });
    await store.insert(o);
    const log = connection.db.collection<OrderLogEntry>("order_log");
    const views = connection.db.collection<OrderDocument>("orders");
    // A writer took the lease and died between its log entry and the view: the view says free.
    const until = new Date(Date.now() + 60_000);
    await log.insertOne({ _id: entryId(o.id, 1), orderId: o.id, seq: 1, kind: "lease", set: { leaseOwner: "dead", leaseUntil: until } });
    expect(await views.findOne({ _id: o.id })).toMatchObject({ leaseOwner: null, seq: 0 });
    expect((await store.findRecoverable(new Date(), 1_000)).map((r) => r.id)).not.toContain(o.id);

    // Again: it shipped the order and gave the lease up, and died before the view heard of either.
    const set = { state: "SHIPPED" as const, leaseOwner: null, leaseUntil: new Date(Date.now() - 1_000) };
    await log.insertOne({ _id: entryId(o.id, 2), orderId: o.id, seq: 2, kind: "advance", set });
    expect(await store.get(o.id)).toMatchObject({ state: "SHIPPED", leaseOwner: null });
    expect((await store.list("u-1", 1_000, undefined)).find((l) => l.order.id === o.id)?.order).toMatchObject({ state: "SHIPPED" });
    expect((await store.findRecoverable(new Date(), 1_000)).map((r) => r.id)).toContain(o.id);
    expect(await store.acquireLease(o.id, "other", new Date(), new Date(Date.now() + 10_000))).toMatchObject({
      state: "SHIPPED",
      leaseOwner: "other",
    });
    // The order is open: reads and writes leave its view as it was.
    expect(await views.findOne({ _id: o.id })).toMatchObject({ state: "PAID", leaseOwner: null, seq: 0 });

    // Its runner confirmed it and died before the view update: the next read brings the view up.
    const confirmed = { state: "CONFIRMED" as const, committed: true, cartEmptied: true };
    await log.insertOne({ _id: entryId(o.id, 4), orderId: o.id, seq: 4, kind: "advance", set: confirmed });
    expect(await store.get(o.id)).toMatchObject({ state: "CONFIRMED", leaseOwner: "other" });
    expect(await views.findOne({ _id: o.id })).toMatchObject({ state: "CONFIRMED", leaseOwner: "other", seq: 4 });
  });

  it("brings the view up to date with the write that makes the order final, and none before", async () => {
    const o = order({ leaseOwner: "me", leaseUntil: new Date(Date.now() + 10_000) });
    await store.insert(o);
    const views = connection.db.collection<OrderDocument>("orders");
    const until = () => new Date(Date.now() + 10_000);
    await store.advance(o.id, "PENDING", "me", { state: "RESERVED" }, new Date(), until());
    expect(await views.findOne({ _id: o.id })).toMatchObject({ state: "PENDING", seq: 0 });
    await store.advance(o.id, "RESERVED", "me", { state: "CANCELLED", cancelRequested: true, cancelReason: "test" }, new Date(), until());
    expect(await views.findOne({ _id: o.id })).toMatchObject({ state: "CANCELLED", cancelReason: "test", seq: 2 });
  });

  it("finds non-final orders whose lease ran out, and honours a postponed retry", async () => {
    const stale = order({ state: "PAID" });
    const done = order({ state: "CONFIRMED" });
    const held = order({ state: "RESERVED", leaseOwner: "x", leaseUntil: new Date(Date.now() + 60_000) });
    for (const o of [stale, done, held]) await store.insert(o);
    const found = (await store.findRecoverable(new Date(), 1_000)).map((o) => o.id);
    expect(found).toContain(stale.id);
    expect(found).not.toContain(done.id);
    expect(found).not.toContain(held.id);

    // A retry due before the lease its runner holds runs out is found when due, with no read between.
    await store.postpone(held.id, "x", new Date(Date.now() - 1), 1);
    expect((await store.findRecoverable(new Date(), 1_000)).map((o) => o.id)).toContain(held.id);

    const now = new Date();
    await store.acquireLease(stale.id, "r", now, new Date(Date.now() + 10_000));
    await store.postpone(stale.id, "r", new Date(Date.now() + 60_000), 3);
    expect(await store.get(stale.id)).toMatchObject({ leaseOwner: null, attempts: 3 });
    expect((await store.findRecoverable(new Date(), 1_000)).map((o) => o.id)).not.toContain(stale.id);
    // A customer's cancellation does not wait for the postponed retry; recovery does.
    expect(await store.acquireLease(stale.id, "r2", new Date(), new Date(Date.now() + 10_000))).toBeUndefined();
    expect(
      await store.acquireLease(stale.id, "cancel", new Date(), new Date(Date.now() + 10_000), { evenIfBackingOff: true }),
    ).toBeDefined();
  });

  it("sweeps only open orders: each is marked from its insert until its event is published", async () => {
    const opens = connection.db.collection<{ _id: string; since: Date }>("order_open");
    const o = order({ leaseOwner: "me", leaseUntil: new Date(Date.now() + 10_000) });
    await store.insert(o);
    expect(await opens.findOne({ _id: o.id })).not.toBeNull();
    // A final order inserted as such (as tests do) is not open.
    const done = order({ state: "CONFIRMED" });
    await store.insert(done);
    expect(await opens.findOne({ _id: done.id })).toBeNull();

    const now = new Date();
    const event = finalEvent(o, now);
    const until = new Date(Date.now() + 10_000);
    await store.advance(o.id, "PENDING", "me", { cancelRequested: true, cancelReason: "r", released: true }, now, until);
    await store.advance(o.id, "PENDING", "me", { state: "CANCELLED" }, now, until, () => event);
    expect((await store.pendingEvents(new Date(Date.now() + 1_000), 100)).map((e) => e.id)).toContain(event.id);
    expect(await opens.findOne({ _id: o.id })).not.toBeNull();
    await store.markEventPublished(event);
    expect(await opens.findOne({ _id: o.id })).toBeNull();
    expect((await store.pendingEvents(new Date(Date.now() + 1_000), 100)).map((e) => e.id)).not.toContain(event.id);
  });

  it("writes an order 12 times from its insert to its event published, as the saga moves it, and reads it only to look it up", async () => {
    // Each write is a commit of FerretDB's SQLite, the orders' ceiling (docs/benchmarks.md, whole orders).
    const client = new MongoClient(mongo.url, { monitorCommands: true });
    const commands: string[] = [];
    client.on("commandStarted", (event) => commands.push(event.commandName));
    const counted = await createMongoOrderStore({
      client,
      db: client.db("orders_store_test"),
      probe: connection.probe,
      close: () => client.close(),
    });
    try {
      await counted.listed;
      commands.length = 0;
      const o = order({ userId: "u-writes", leaseOwner: "me", leaseUntil: new Date(Date.now() + 10_000) });
      expect(await counted.findByRequest(o.userId, o.requestId)).toBeUndefined();
      await counted.insert(o);
      const steps = [
        ["PENDING", { state: "RESERVED" }],
        ["RESERVED", { state: "PAID", paymentId: "pay-1" }],
        ["PAID", { state: "SHIPPED", shipmentId: "shp-1", trackingId: "trk-1" }],
      ] as const;
      for (const [state, changes] of steps) await counted.advance(o.id, state, "me", changes, new Date(), new Date(Date.now() + 10_000));
      const event = finalEvent(o);
      const until = new Date(Date.now() + 10_000);
      // The steps after shipping are written with the confirmation (runner.ts).
      const confirmed = { committed: true, cartEmptied: true, state: "CONFIRMED" } as const;
      await counted.advance(o.id, "SHIPPED", "me", confirmed, new Date(), until, () => event);
      await counted.markEventPublished(event);
      const count = (name: string) => commands.filter((command) => command === name).length;
      // Inserts: its open marker, its place in its user's list, its document, five log entries (the
      // last: its event published). Updates: the list's top, and the view with each of the last two
      // entries. Then the marker goes.
      expect({ insert: count("insert"), update: count("update"), delete: count("delete") }).toEqual({ insert: 8, update: 3, delete: 1 });
      expect(count("findAndModify")).toBe(0);
      // Reads: the lookup of its request id, and the list's top before taking a place.
      expect(count("find")).toBe(2);
      expect(await counted.get(o.id)).toMatchObject({ state: "CONFIRMED", trackingId: "trk-1" });
    } finally {
      await client.close();
    }
  });

  it("drops a marker whose order was never recorded, and one its writer left on a closed order", async () => {
    const opens = connection.db.collection<{ _id: string; since: Date }>("order_open");
    await opens.insertOne({ _id: "ord_never_recorded", since: new Date(Date.now() - 120_000) });
    await opens.insertOne({ _id: "ord_being_recorded", since: new Date() });
    const closedOrder = order({ state: "CANCELLED" });
    await store.insert(closedOrder);
    await opens.insertOne({ _id: closedOrder.id, since: new Date() });
    await store.findRecoverable(new Date(), 1_000);
    expect(await opens.findOne({ _id: "ord_never_recorded" })).toBeNull();
    expect(await opens.findOne({ _id: closedOrder.id })).toBeNull();
    // Its insert may still be on its way.
    expect(await opens.findOne({ _id: "ord_being_recorded" })).not.toBeNull();
    await opens.deleteOne({ _id: "ord_being_recorded" });
  });

  it("marks the open orders stored before the markers existed when it starts", async () => {
    const stale = order({ state: "PAID" });
    await connection.db.collection<OrderDocument>("orders").insertOne(toDocument(stale));
    expect((await store.findRecoverable(new Date(), 1_000)).map((r) => r.id)).not.toContain(stale.id);
    // A start on a database already passed over does not read every order again.
    const again = await createMongoOrderStore(connection);
    expect((await again.findRecoverable(new Date(), 1_000)).map((r) => r.id)).not.toContain(stale.id);
    await forgetUpgrades();
    const restarted = await createMongoOrderStore(connection);
    expect((await restarted.findRecoverable(new Date(), 1_000)).map((r) => r.id)).toContain(stale.id);
  });

  it("decides on what another writer did since this store last saw the order", async () => {
    const other = await createMongoOrderStore(connection);
    const o = order();
    await store.insert(o);
    const until = () => new Date(Date.now() + 10_000);
    // The other store takes the lease: this one, knowing the order free, must not take it too.
    expect(await other.acquireLease(o.id, "other", new Date(), until())).toBeDefined();
    expect(await store.acquireLease(o.id, "mine", new Date(), until())).toBeUndefined();
    expect((await store.get(o.id))?.leaseOwner).toBe("other");
    // It gives the lease up: this one, knowing it held, must see it free.
    await other.postpone(o.id, "other", new Date(Date.now() - 1_000), 1);
    expect(await store.acquireLease(o.id, "mine", new Date(), until())).toMatchObject({ leaseOwner: "mine" });
    expect(await other.advance(o.id, "PENDING", "other", { state: "RESERVED" }, new Date(), until())).toBeUndefined();
    expect(await store.advance(o.id, "PENDING", "mine", { state: "RESERVED" }, new Date(), until())).toMatchObject({ state: "RESERVED" });
  });

  it("lists a user's orders newest first from a position", async () => {
    const user = "u-list";
    const placed: OrderRecord[] = [];
    for (let i = 0; i < 5; i++) {
      const o = order({ userId: user });
      placed.push(o);
      await store.insert(o);
    }
    const newestFirst = ids([...placed].reverse());
    const all = await store.list(user, 10, undefined);
    expect(ids(all.map((l) => l.order))).toEqual(newestFirst);
    const second = all[1] as ListedOrder;
    expect(ids((await store.list(user, 10, { place: second.place })).map((l) => l.order))).toEqual(newestFirst.slice(2));
    expect(ids((await store.list(user, 2, { place: second.place })).map((l) => l.order))).toEqual(newestFirst.slice(2, 4));
    expect(await store.list("u-nobody", 10, undefined)).toEqual([]);
  });

  it("lists each order once: not a place its writer died before filling, nor one a repeated request took", async () => {
    const user = "u-gaps";
    const first = order({ userId: user });
    await store.insert(first);
    // A writer took a place and died before storing its order.
    await createUserOrders(connection.db).claim(user, "ord_never_stored");
    // A repeat of the first request takes a place, then finds the order already there.
    expect(await store.insert(order({ userId: user, requestId: first.requestId }))).toMatchObject({ kind: "duplicate" });
    const later = [order({ userId: user }), order({ userId: user })];
    for (const o of later) await store.insert(o);
    // A write of an entry that landed though its answer was lost: the place names an order that names another.
    const stray = await createUserOrders(connection.db).claim(user, first.id);
    expect(stray).toBeGreaterThan(4);
    expect(ids((await store.list(user, 10, undefined)).map((l) => l.order))).toEqual(ids([...later].reverse().concat(first)));
    // A page is filled past the places that list nothing.
    expect(ids((await store.list(user, 3, undefined)).map((l) => l.order))).toEqual(ids([...later].reverse().concat(first)));
    const top = (await store.list(user, 1, undefined))[0] as ListedOrder;
    expect(ids((await store.list(user, 1, { place: top.place })).map((l) => l.order))).toEqual([later[0]?.id]);
    // Two writers racing on the top hint may leave it behind: readers and the next writer walk up.
    await connection.db.collection<{ _id: string; place: number }>("order_by_user_top").updateOne({ _id: user }, { $set: { place: 1 } });
    expect(ids((await store.list(user, 10, undefined)).map((l) => l.order))).toEqual(ids([...later].reverse().concat(first)));
    const newest = order({ userId: user });
    await store.insert(newest);
    expect((await store.list(user, 1, undefined))[0]?.order.id).toBe(newest.id);
  });

  it("lists the orders stored before the lists existed when it starts, below the newer ones", async () => {
    const user = "u-before-lists";
    const views = connection.db.collection<OrderDocument>("orders");
    const older = [order({ userId: user }), order({ userId: user })];
    // Stored newest first, as nothing guarantees their order on disk.
    for (const o of [...older].reverse()) await views.insertOne(toDocument(o));
    expect(await store.list(user, 10, undefined)).toEqual([]);
    await forgetUpgrades();
    const restarted = await createMongoOrderStore(connection);
    await restarted.listed;
    const newer = order({ userId: user });
    await restarted.insert(newer);
    const expected = [newer.id, ...ids([...older].reverse())];
    expect(ids((await restarted.list(user, 10, undefined)).map((l) => l.order))).toEqual(expected);
    // Listing is done once: a second start adds nothing.
    const again = await createMongoOrderStore(connection);
    await again.listed;
    expect(ids((await again.list(user, 10, undefined)).map((l) => l.order))).toEqual(expected);
  });

  it("answers UNAVAILABLE while the store is down", async () => {
    const o = order();
    await store.insert(o);
    await mongo.stop();
    try {
      const err = await store.get(o.id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.Unavailable);
    } finally {
      await mongo.start();
    }
    await expect(store.get(o.id)).resolves.toEqual(o);
  });
});
