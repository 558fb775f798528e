// OrderStore on MongoDB (or FerretDB), safe with any number of order processes on one database.
// Every change of an order is an entry of its log (order-log.ts) under a unique key (order id,
// sequence number), so only one writer gets each number; no decision rests on a conditional
// update. The `orders` document is a view of the log, read by `_id` (for an order, a user's list,
// the sweeps of open orders), brought up to date by the writes that leave the order final or
// postpone a retry, and by a read that finds a final order's view behind; while the saga runs it
// lags (an update per step would double the writes), and two writers racing can leave the older
// update in place, so every read folds in the entries newer than it. A writer starts from the
// order as this process last knew it and reads only when another writer got the next entry in
// first. The sweeps look only at open orders (open-orders.ts), ListOrders only at the user's list
// (user-orders.ts). Outages surface as UNAVAILABLE through storeGuard, translated here and
// nowhere else.
import type { Collection } from "mongodb";
import { Binary, MongoServerError } from "mongodb";
import { isDuplicateKey, storeGuard, type MongoStore } from "@shopmesh/stores/mongo";
import { cancellableStates, isFinal, orderIdFor, type OrderRecord, type ProgressChanges, type SagaState } from "../order.js";
import { createKnownOrders } from "./known-orders.js";
import { closed, createOpenOrders } from "./open-orders.js";
import { fromDocument, toDocument, type OrderDocument } from "./order-document.js";
import type { OrderEvent } from "../order-events.js";
import {
  changingFields,
  entryId,
  fold,
  seqOf,
  type OrderChanges,
  type OrderLogEntry,
  type OrderLogKind,
  type StoredEvent,
} from "./order-log.js";
import type { EventOf, InsertOutcome, ListedOrder, OrderStore } from "./order-store.js";
import { createUpgrades } from "./upgrades.js";
import { createUserOrders, type ListedAt } from "./user-orders.js";

const nonFinalStates: SagaState[] = ["PENDING", "RESERVED", "PAID", "SHIPPED"];
const indexNotFound = 27;
/** Each lost race means another writer got its entry in; this many in a row means something is wrong. */
const maxAttempts = 50;
/** Rounds of listing the unlisted orders, each after view updates may have undone some of the last. */
const maxListingRounds = 3;

/** What an append found and did. */
interface Appended {
  /** The order after the append (or as it was, when the condition did not hold). */
  readonly doc: OrderDocument;
  readonly applied: boolean;
}

/** The store on an open connection; creates its indexes first. */
/** The store, and the background listing of orders stored before the per-user lists. */
export type MongoOrderStore = OrderStore & {
  /** Settles once every order stored before the lists is listed (rejects if that failed; the next start tries again). */
  readonly listed: Promise<void>;
};

export async function createMongoOrderStore(mongo: MongoStore): Promise<MongoOrderStore> {
  const orders: Collection<OrderDocument> = mongo.db.collection<OrderDocument>("orders");
  const log: Collection<OrderLogEntry> = mongo.db.collection<OrderLogEntry>("order_log");

  /** Runs a store operation; an outage becomes UNAVAILABLE. */
  const guard = storeGuard("order store");
  // One at a time: FerretDB 1.24 drops the connection on a createIndexes listing several existing ones.
  await guard(async () => {
    await orders.createIndex({ userId: 1, requestId: 1 }, { unique: true, name: "user_request_unique" });
    await orders.createIndex({ state: 1, leaseUntil: 1 }, { name: "state_lease" });
    // Listing reads the user's list instead (FerretDB on SQLite never used it); every write paid for it.
    await orders.dropIndex("user_newest_first").catch((err: unknown) => {
      if (!(err instanceof MongoServerError && err.code === indexNotFound)) throw err;
    });
  });
  const upgrades = createUpgrades(mongo.db);
  const open = createOpenOrders(mongo.db, orders);
  await guard(() => upgrades.once("open-markers", () => open.backfill()));
  const lists = createUserOrders(mongo.db);
  /**
   * Lists the orders stored before the lists existed, oldest first: on the first start after an
   * upgrade, above any the new version stored already. In the background, as it costs a few
   * writes per order and the service must answer health checks meanwhile; until it is done such
   * orders are missing from ListOrders. Two processes starting at once may both list an order:
   * the place its document names last wins. A view update racing this one may undo it (FerretDB
   * reads, then writes), so it looks again until it finds none; if a few rounds do not get there,
   * it fails, and is not recorded done, so the next start tries again.
   */
  const listUnlisted = async (): Promise<void> => {
    for (let round = 1; ; round++) {
      const unlisted = await orders
        .find({ listed: { $exists: false } }, { projection: { _id: 1, userId: 1 } })
        .sort({ createTime: 1, _id: 1 })
        .toArray();
      if (unlisted.length === 0) return;
      if (round > maxListingRounds) throw new Error(`${unlisted.length} orders still unlisted after ${maxListingRounds} rounds`);
      for (const { _id, userId } of unlisted) {
        const place = await lists.claim(userId, _id);
        await orders.updateOne({ _id }, { $set: { listed: place } });
      }
    }
  };
  const listing = guard(() => upgrades.once("user-lists", listUnlisted));
  // Awaited by whoever reads `listed`; never an unhandled rejection meanwhile.
  listing.catch(() => undefined);
  const known = createKnownOrders();

  /**
   * Brings the view up to `doc`. The update is by `_id` alone: any other condition (such as "only
   * if the view is behind") makes FerretDB read the whole collection for it. Two of these racing
   * can leave the older one in place; that costs only staleness, which every read folds away.
   */
  const refreshView = async (doc: OrderDocument): Promise<void> => {
    const set: Partial<OrderDocument> = Object.fromEntries(changingFields.map((key) => [key, doc[key]]));
    await orders.updateOne({ _id: doc._id }, { $set: { ...set, seq: seqOf(doc) } });
  };

  /** The entries of the view's order after the view, read one by one by key (see order-log.ts). */
  const entriesAfter = async (view: OrderDocument): Promise<OrderLogEntry[]> => {
    const entries: OrderLogEntry[] = [];
    for (let seq = seqOf(view) + 1; ; seq++) {
      const entry = await log.findOne({ _id: entryId(view._id, seq) });
      if (entry === null) return entries;
      entries.push(entry);
    }
  };

  /** The order as its log says: the view with every newer entry folded in. */
  const latest = async (view: OrderDocument): Promise<OrderDocument> => {
    const newer = await entriesAfter(view);
    if (newer.length === 0) return view;
    const doc = fold(view, newer);
    // Read repair, of a final order only (as the writers write it): a view its writer died before
    // updating catches up. A repair of an open order could land after the final write and put an
    // open order's view back over it, hiding the order's event from the outbox sweep.
    if (isFinal(doc.state)) await refreshView(doc);
    return doc;
  };

  const latestOf = async (view: OrderDocument | null): Promise<OrderDocument | undefined> => {
    if (view === null) return undefined;
    const doc = await latest(view);
    known.remember(doc);
    return doc;
  };

  const record = (doc: OrderDocument | undefined): OrderRecord | undefined => (doc === undefined ? undefined : fromDocument(doc));

  /**
   * Appends the entry `decide` makes of the order as it is now, if it makes one. It decides first
   * on the order as this process last knew it, without reading: the entry after that one is then
   * either still free, and the order was as known, or taken, and the insert fails. A duplicate key
   * means another writer appended first: read again and decide again on what it did. A decision
   * to write nothing is only taken on what was read.
   */
  const append = async (
    id: string,
    kind: OrderLogKind,
    decide: (doc: OrderDocument) => OrderChanges | undefined,
    eventOf?: EventOf,
  ): Promise<Appended | undefined> => {
    let remembered = known.get(id);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const guessed = remembered !== undefined;
      const doc = remembered ?? (await latestOf(await orders.findOne({ _id: id })));
      remembered = undefined;
      if (doc === undefined) return undefined;
      const set = decide(doc);
      if (set === undefined && guessed) continue;
      if (set === undefined) return { doc, applied: false };
      const seq = seqOf(doc) + 1;
      let entry: OrderLogEntry = { _id: entryId(id, seq), orderId: id, seq, kind, set };
      // The event the change implies, made of the order as this entry leaves it, goes in the same insert.
      const event = eventOf?.(fromDocument(fold(doc, [entry])));
      if (event !== undefined) {
        entry = { ...entry, set: { ...set, outbox: { eventId: event.id, seq } }, event: storedEvent(event) };
      }
      try {
        await log.insertOne(entry);
      } catch (err) {
        // Whether it landed is unknown unless the key was taken: the next write reads.
        known.forget(id);
        if (isDuplicateKey(err)) continue;
        throw err;
      }
      const next = fold(doc, [entry]);
      known.remember(next);
      // The view follows the entries the sweeps filter on: a final state (its event) and a retry's
      // time, which recovery would otherwise find only once the view's older lease ran out.
      if (isFinal(next.state) || kind === "postpone") await refreshView(next);
      if (closed(next)) await open.remove(id);
      return { doc: next, applied: true };
    }
    throw new Error(`order ${id}: ${maxAttempts} writes in a row lost the race for the next log entry`);
  };

  const appliedRecord = (appended: Appended | undefined): OrderRecord | undefined =>
    appended?.applied === true ? fromDocument(appended.doc) : undefined;

  return {
    listed: listing,
    probe: mongo.probe,

    insert: (order) =>
      guard(async (): Promise<InsertOutcome> => {
        // Open and listed before it exists: a crash in between leaves a marker and an entry that
        // list nothing, never an order without them.
        const unlisted = toDocument(order);
        const [place] = await Promise.all([
          lists.claim(order.userId, order.id),
          closed(unlisted) ? undefined : open.add(unlisted._id, order.createTime),
        ]);
        const doc: OrderDocument = { ...unlisted, listed: place };
        try {
          await orders.insertOne(doc);
        } catch (err) {
          // The place taken lists nothing: the order there names its own.
          if (!isDuplicateKey(err)) throw err;
          // The id is the request's, so the order there first has it; only one recorded before
          // ids were made of the request id takes the user and request index instead, and a query.
          const sameId = await latestOf(await orders.findOne({ _id: doc._id }));
          if (sameId !== undefined) return { kind: "duplicate", existing: fromDocument(sameId) };
          await open.remove(doc._id);
          const older = await latestOf(await orders.findOne({ userId: order.userId, requestId: order.requestId }));
          if (older === undefined) throw new Error(`order ${doc._id}: its request id is taken, yet no order has it`);
          return { kind: "duplicate", existing: fromDocument(older) };
        }
        known.remember(doc);
        return { kind: "inserted" };
      }),

    get: (id) => guard(async () => record(await latestOf(await orders.findOne({ _id: id })))),

    // By `_id` alone, then checked: a second condition makes FerretDB read the whole collection.
    getForUser: (userId, id) =>
      guard(async () => {
        const view = await orders.findOne({ _id: id });
        return view?.userId === userId ? record(await latestOf(view)) : undefined;
      }),

    findByRequest: (userId, requestId) =>
      guard(async () => record(await latestOf(await orders.findOne({ _id: orderIdFor(userId, requestId) })))),

    findRecordedBeforeIds: (userId, requestId) => guard(async () => record(await latestOf(await orders.findOne({ userId, requestId })))),

    list: (userId, limit, after) =>
      guard(async () => {
        const listed: { view: OrderDocument; place: number }[] = [];
        let before = after?.place;
        while (listed.length < limit && (before === undefined || before > 1)) {
          const { entries, lowest } = await lists.below(userId, before, limit - listed.length);
          const views = await Promise.all(entries.map((entry) => orders.findOne({ _id: entry.orderId })));
          for (const [i, view] of views.entries()) {
            const { place } = entries[i] as ListedAt;
            // Only the place the order's document names lists it (see user-orders.ts).
            if (view !== null && view.userId === userId && view.listed === place) listed.push({ view, place });
          }
          before = lowest;
        }
        return Promise.all(
          listed.map(async ({ view, place }): Promise<ListedOrder> => ({ order: fromDocument(await latest(view)), place })),
        );
      }),

    acquireLease: (id, owner, now, until, options = {}) =>
      guard(async () =>
        appliedRecord(
          await append(id, "lease", (doc) => {
            const free = doc.leaseUntil < now || (options.evenIfBackingOff === true && doc.leaseOwner === null);
            return nonFinalStates.includes(doc.state) && free ? { leaseOwner: owner, leaseUntil: until } : undefined;
          }),
        ),
      ),

    advance: (id, expectedState, owner, changes, now, leaseUntil, eventOf) =>
      guard(async () =>
        appliedRecord(
          await append(
            id,
            "advance",
            (doc) => {
              if (doc.state !== expectedState || doc.leaseOwner !== owner) return undefined;
              const set: OrderChanges = { ...changeFields(changes, doc), leaseUntil, attempts: 0 };
              if (changes.state !== undefined && changes.state !== expectedState) set.updateTime = now;
              return set;
            },
            eventOf,
          ),
        ),
      ),

    postpone: (id, owner, retryAt, attempts) =>
      guard(async () => {
        await append(id, "postpone", (doc) => (doc.leaseOwner === owner ? { leaseOwner: null, leaseUntil: retryAt, attempts } : undefined));
      }),

    requestCancel: (userId, id, reason) =>
      guard(async () => {
        const appended = await append(id, "cancel-request", (doc) =>
          doc.userId === userId && cancellableStates.includes(doc.state) && !doc.cancelRequested
            ? { cancelRequested: true, cancelReason: reason }
            : undefined,
        );
        return appended === undefined || appended.doc.userId !== userId ? undefined : fromDocument(appended.doc);
      }),

    pendingEvents: (before, limit) =>
      guard(async () => {
        // Orders whose view says an event waits (the view may lag: what the log says decides).
        const views = (await open.views(new Date()))
          .filter((view) => view.outbox !== undefined && view.outbox !== null && view.updateTime < before)
          .sort((a, b) => a.updateTime.getTime() - b.updateTime.getTime())
          .slice(0, limit);
        const events: OrderEvent[] = [];
        for (const doc of await Promise.all(views.map(latest))) {
          if (doc.outbox === undefined || doc.outbox === null) continue;
          const entry = await log.findOne({ _id: entryId(doc._id, doc.outbox.seq) });
          // Cannot happen while the log is written only here; one that did must not hold the others back.
          if (entry?.event === undefined) continue;
          events.push(outgoingEvent(doc._id, entry.event));
        }
        return events;
      }),

    markEventPublished: (event) =>
      guard(async () => {
        await append(event.orderId, "published", (doc) => (doc.outbox?.eventId === event.id ? { outbox: null } : undefined));
      }),

    findRecoverable: (now, limit) =>
      guard(async () => {
        const views = (await open.views(now))
          .filter((view) => nonFinalStates.includes(view.state) && view.leaseUntil < now)
          .sort((a, b) => a.leaseUntil.getTime() - b.leaseUntil.getTime())
          .slice(0, limit);
        // The view may be behind: what the log says decides.
        const docs = await Promise.all(views.map(latest));
        return docs.filter((doc) => nonFinalStates.includes(doc.state) && doc.leaseUntil < now).map(fromDocument);
      }),
  };
}

function storedEvent(event: OrderEvent): StoredEvent {
  return { id: event.id, type: event.type, data: new Binary(event.data), time: event.time, trace: { ...event.trace } };
}

function outgoingEvent(orderId: string, event: StoredEvent): OrderEvent {
  return { id: event.id, orderId, type: event.type, data: event.data.buffer, time: event.time, trace: event.trace };
}

/**
 * The fields `changes` sets (explicitly: only known fields reach the store). A cancellation asked
 * for while the order already has one keeps the first reason: the runner decided on a read from
 * before the customer's request landed.
 */
function changeFields(changes: ProgressChanges, doc: OrderDocument): OrderChanges {
  const set: OrderChanges = {};
  const keepsFirstReason = changes.cancelRequested === true && doc.cancelRequested;
  if (changes.state !== undefined) set.state = changes.state;
  if (changes.cancelRequested !== undefined) set.cancelRequested = changes.cancelRequested;
  if (changes.cancelReason !== undefined && !keepsFirstReason) set.cancelReason = changes.cancelReason;
  if (changes.refunded !== undefined) set.refunded = changes.refunded;
  if (changes.released !== undefined) set.released = changes.released;
  if (changes.committed !== undefined) set.committed = changes.committed;
  if (changes.cartEmptied !== undefined) set.cartEmptied = changes.cartEmptied;
  if (changes.paymentId !== undefined) set.paymentId = changes.paymentId;
  if (changes.shipmentId !== undefined) set.shipmentId = changes.shipmentId;
  if (changes.trackingId !== undefined) set.trackingId = changes.trackingId;
  return set;
}
