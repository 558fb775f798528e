// Subscribe against a real redis-server: backlog then live, many subscribers, what a cancelled
// or stopped stream leaves in Redis, a reader that falls behind, and a Redis outage.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import { NotificationKind } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { fieldViolations } from "@shopmesh/kit";
import { connectRedis } from "@shopmesh/stores/redis";
import { asUser, eventually, rejection, startRedis, type TestStore } from "@shopmesh/testkit";
import { SubscriberFellBehindError } from "../src/store/notification-store.js";
import { createRedisNotificationStore } from "../src/store/redis-notification-store.js";
import {
  observeRedis,
  pause,
  silentLogger,
  startService,
  subscribe,
  type RedisObserver,
  type RunningService,
  type Subscription,
} from "./helpers.js";

describe("Subscribe", () => {
  let redis: TestStore;
  let service: RunningService;
  let observer: RedisObserver;

  /** Connections while no stream is open: the service's own and the observer's. */
  let idleConnections: number;

  beforeAll(async () => {
    redis = await startRedis();
    service = await startService(redis.url);
    observer = await observeRedis(redis.url);
    idleConnections = await observer.connections();
  });

  afterAll(async () => {
    await service?.stop();
    await observer?.close();
    await redis?.dispose();
  });

  const send = async (userId: string, text: string): Promise<string> =>
    (await service.client.sendNotification({ userId, kind: NotificationKind.GENERIC, text })).notification?.id ?? "";

  /** Waits until `count` subscribers sit in XREAD BLOCK: from then on they see new notifications. */
  const waitUntilListening = (count: number): Promise<unknown> =>
    eventually(async () => (await observer.blockedClients()) >= count, { timeoutMs: 5_000, what: `${count} blocked readers` });

  /** Waits until the streams of earlier tests have closed their connections. */
  const quiet = (): Promise<unknown> =>
    eventually(async () => (await observer.connections()) === idleConnections, { timeoutMs: 2_000, what: "connections back to idle" });

  const cancelAll = async (subscriptions: readonly Subscription[]): Promise<void> => {
    for (const s of subscriptions) s.cancel();
    for (const s of subscriptions) expect((await s.ended)?.code).toBe(Code.Canceled);
  };

  it("sends the backlog after after_id, then new notifications live, in order and once each", async () => {
    const [first, second, third] = [await send("u-live", "a1"), await send("u-live", "a2"), await send("u-live", "a3")];
    const sub = subscribe(service.client, "u-live", first);
    await eventually(() => sub.received.length === 2, { timeoutMs: 5_000, what: "backlog" });
    expect(sub.received.map((n) => n.id)).toEqual([second, third]);

    const fourth = await send("u-live", "a4");
    const fifth = await send("u-live", "a5");
    await eventually(() => sub.received.length === 4, { timeoutMs: 5_000, what: "live notifications" });
    // Longer than a read slice: a duplicate would have arrived by now.
    await pause(300);
    expect(sub.received.map((n) => n.id)).toEqual([second, third, fourth, fifth]);
    expect(sub.received.map((n) => n.text)).toEqual(["a2", "a3", "a4", "a5"]);
    expect(sub.received.every((n) => n.userId === "u-live" && n.kind === NotificationKind.GENERIC)).toBe(true);
    await cancelAll([sub]);
  });

  it("without after_id sends only notifications created after the call", async () => {
    await send("u-fresh", "old");
    const sub = subscribe(service.client, "u-fresh");
    await waitUntilListening(1);
    const id = await send("u-fresh", "new");
    await eventually(() => sub.received.length === 1, { timeoutMs: 5_000, what: "the new notification" });
    await pause(300);
    expect(sub.received.map((n) => [n.id, n.text])).toEqual([[id, "new"]]);
    await cancelAll([sub]);
  });

  it("resumes from the last id received without missing or repeating any", async () => {
    const start = await send("u-resume", "r0");
    const first = subscribe(service.client, "u-resume", start);
    await send("u-resume", "r1");
    await eventually(() => first.received.length === 1);
    await cancelAll([first]);
    await send("u-resume", "r2");
    const again = subscribe(service.client, "u-resume", first.received.at(-1)?.id);
    await send("u-resume", "r3");
    await eventually(() => again.received.length === 2);
    await pause(300);
    expect(again.received.map((n) => n.text)).toEqual(["r2", "r3"]);
    await cancelAll([again]);
  });

  it("keeps each user's stream to that user", async () => {
    const alice = subscribe(service.client, "u-alice", await send("u-alice", "start"));
    const bob = subscribe(service.client, "u-bob", await send("u-bob", "start"));
    await send("u-alice", "for alice");
    await send("u-bob", "for bob");
    await eventually(() => alice.received.length === 1 && bob.received.length === 1);
    await pause(300);
    expect(alice.received.map((n) => [n.userId, n.text])).toEqual([["u-alice", "for alice"]]);
    expect(bob.received.map((n) => [n.userId, n.text])).toEqual([["u-bob", "for bob"]]);
    await cancelAll([alice, bob]);
  });

  it("delivers a new notification to 20 subscribers of one user at once", async () => {
    const start = await send("u-many", "start");
    const subs = Array.from({ length: 20 }, () => subscribe(service.client, "u-many", start));
    const id = await send("u-many", "to everyone");
    await eventually(() => subs.every((s) => s.received.length === 1), { timeoutMs: 10_000, what: "all 20 subscribers" });
    expect(new Set(subs.map((s) => s.received[0]?.id))).toEqual(new Set([id]));
    await cancelAll(subs);
  });

  it("gives each subscriber a Redis connection and closes it when the client cancels", async () => {
    await quiet();
    const baseline = await observer.connections();
    const subs = Array.from({ length: 5 }, () => subscribe(service.client, "u-conn"));
    await eventually(async () => (await observer.connections()) === baseline + 5, { timeoutMs: 5_000, what: "five more connections" });
    await cancelAll(subs);
    await eventually(async () => (await observer.connections()) === baseline, {
      timeoutMs: 2_000,
      what: "connections back to the baseline",
    });
    expect(await observer.blockedClients()).toBe(0);
  });

  describe("bad input", () => {
    it("answers UNAUTHENTICATED without a caller", async () => {
      const sub = subscribe(service.client, undefined);
      expect((await sub.ended)?.code).toBe(Code.Unauthenticated);
    });

    it.each([
      ["not an id at all", "latest"],
      ["an id of another form", "12345"],
      ["an id too large for Redis", "18446744073709551616-0"],
      ["an id newer than any issued to the user", "99999999999999-0"],
    ])("rejects an after_id that is %s with INVALID_ARGUMENT", async (_, afterId) => {
      await send("u-bad", "exists");
      const sub = subscribe(service.client, "u-bad", afterId);
      const err = await sub.ended;
      expect(err?.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(err!).map((v) => v.field)).toEqual(["after_id"]);
      expect(sub.received).toEqual([]);
    });

    it("rejects a future after_id for a user without notifications", async () => {
      const err = await subscribe(service.client, "u-never", "99999999999999-0").ended;
      expect(err?.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(err!).map((v) => v.field)).toEqual(["after_id"]);
    });

    it("accepts a past after_id whose notifications are gone (Redis lost them, or they aged out)", async () => {
      const sub = subscribe(service.client, "u-gone", "1000-0");
      await waitUntilListening(1);
      await send("u-gone", "fresh");
      await eventually(() => sub.received.length === 1);
      expect(sub.received[0]?.text).toBe("fresh");
      await cancelAll([sub]);
    });
  });

  describe("a reader that falls behind", () => {
    const historyLimit = 5;

    it("ends with SubscriberFellBehindError once notifications it had not read aged out", async () => {
      const store = await connectRedis(redis.url, silentLogger);
      const notifications = createRedisNotificationStore(store, { historyLimit, blockMs: 200 });
      const controller = new AbortController();
      try {
        const start = await notifications.append("u-slow", NotificationKind.GENERIC, "start");
        const feed = notifications.follow("u-slow", start.id, controller.signal);
        const next = await notifications.append("u-slow", NotificationKind.GENERIC, "read");
        expect((await feed.next()).value).toMatchObject({ id: next.id, text: "read" });
        for (let i = 0; i <= historyLimit; i++) await notifications.append("u-slow", NotificationKind.GENERIC, `unread ${i}`);
        await expect(feed.next()).rejects.toBeInstanceOf(SubscriberFellBehindError);
      } finally {
        controller.abort();
        await store.close();
      }
    });

    it("does not end a reader a whole history behind that has lost nothing yet", async () => {
      const store = await connectRedis(redis.url, silentLogger);
      const notifications = createRedisNotificationStore(store, { historyLimit, blockMs: 200 });
      const controller = new AbortController();
      try {
        const start = await notifications.append("u-edge", NotificationKind.GENERIC, "start");
        const feed = notifications.follow("u-edge", start.id, controller.signal);
        await notifications.append("u-edge", NotificationKind.GENERIC, "read");
        expect((await feed.next()).value).toMatchObject({ text: "read" });
        // "read" itself ages out, but every one after it is still kept.
        for (let i = 0; i < historyLimit; i++) await notifications.append("u-edge", NotificationKind.GENERIC, `unread ${i}`);
        for (let i = 0; i < historyLimit; i++) expect((await feed.next()).value).toMatchObject({ text: `unread ${i}` });
      } finally {
        controller.abort();
        await store.close();
      }
    });

    it("does not end a reader that keeps up, however many pass through", async () => {
      const store = await connectRedis(redis.url, silentLogger);
      const notifications = createRedisNotificationStore(store, { historyLimit, blockMs: 200 });
      const controller = new AbortController();
      try {
        const start = await notifications.append("u-steady", NotificationKind.GENERIC, "start");
        const feed = notifications.follow("u-steady", start.id, controller.signal);
        for (let i = 0; i < historyLimit * 3; i++) {
          await notifications.append("u-steady", NotificationKind.GENERIC, `n${i}`);
          expect((await feed.next()).value).toMatchObject({ text: `n${i}` });
        }
        controller.abort();
        expect(await feed.next()).toEqual({ done: true, value: undefined });
      } finally {
        controller.abort();
        await store.close();
      }
    });

    it("answers UNAVAILABLE to a client that stops reading until unread notifications aged out", async () => {
      const small = await startService(redis.url, { NOTIFICATION_HISTORY_LIMIT: String(historyLimit) });
      const controller = new AbortController();
      // Should the stream never end, cancel it so the test fails instead of hanging.
      const giveUp = setTimeout(() => controller.abort(), 10_000);
      try {
        const sendBig = (text: string) =>
          small.client.sendNotification({ userId: "u-lagging", kind: NotificationKind.GENERIC, text: text.padEnd(1000, ".") });
        const start = (await sendBig("start")).notification?.id ?? "";
        const stream = small.client
          .subscribe({ afterId: start }, { ...asUser("u-lagging"), signal: controller.signal })
          [Symbol.asyncIterator]();
        await sendBig("first");
        expect((await stream.next()).value?.notification?.text).toMatch(/^first/);
        // The client reads nothing while far more than fit in the connection's buffers arrive,
        // so the service's stream has to wait while they age out of the kept history.
        for (let batch = 0; batch < 10; batch++) {
          await Promise.all(Array.from({ length: 50 }, (_, i) => sendBig(`n${batch * 50 + i}`)));
        }
        let received = 0;
        const err = await rejection(
          (async () => {
            // Every one arriving would mean the stream never had to wait: stop there.
            while (received < 500) {
              const next = await stream.next();
              if (next.done === true) return;
              received++;
            }
          })(),
        );
        expect(err.code).toBe(Code.Unavailable);
        expect(err.rawMessage).toMatch(/reads too slowly.*after_id/);
        expect(received).toBeLessThan(500);
      } finally {
        clearTimeout(giveUp);
        controller.abort();
        await small.stop();
      }
    });
  });

  it("ends open streams with UNAVAILABLE on stop() and leaves no connection behind", async () => {
    await quiet();
    const baseline = await observer.connections();
    const other = await startService(redis.url);
    const start = await send("u-stop", "start");
    const subs = Array.from({ length: 3 }, () => subscribe(other.client, "u-stop", start));
    // The service's own connection plus one per subscriber.
    await eventually(async () => (await observer.connections()) === baseline + 4, { timeoutMs: 5_000, what: "four more connections" });
    await other.stop();
    for (const s of subs) expect((await s.ended)?.code).toBe(Code.Unavailable);
    await eventually(async () => (await observer.connections()) === baseline, {
      timeoutMs: 2_000,
      what: "connections back to the baseline",
    });
  });

  // Last: it stops Redis (which loses its data on restart).
  it("ends streams with UNAVAILABLE when Redis goes away, and refuses new ones until it is back", async () => {
    const start = await send("u-outage", "start");
    const sub = subscribe(service.client, "u-outage", start);
    await waitUntilListening(1);
    await redis.stop();
    try {
      expect((await sub.ended)?.code).toBe(Code.Unavailable);
      const started = Date.now();
      expect((await subscribe(service.client, "u-outage", start).ended)?.code).toBe(Code.Unavailable);
      expect(Date.now() - started).toBeLessThan(3_000);
      // Health has noticed, so SERVING below means the shared connection is back.
      await eventually(() => !service.app.server.serving, { timeoutMs: 5_000, what: "not serving" });
    } finally {
      await redis.start();
    }
    await eventually(() => service.app.server.serving, { timeoutMs: 5_000, what: "serving again" });
    const again = subscribe(service.client, "u-outage");
    await waitUntilListening(1);
    await send("u-outage", "back");
    await eventually(() => again.received.length === 1);
    expect(again.received[0]?.text).toBe("back");
    await cancelAll([again]);
  });
});
