// The store connections against real servers: FerretDB (or mongod) and redis-server, including
// what a handler sees while the store is down.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { createLogger } from "@shopmesh/kit";
import { startMongo, startRedis, type TestStore } from "@shopmesh/testkit";
import { connectMongo, storeError as mongoStoreError, type MongoStore } from "../src/mongo.js";
import { connectRedis, storeError as redisStoreError, type RedisStore } from "../src/redis.js";

const logger = createLogger("stores-test", "silent");

describe("MongoDB store", () => {
  let server: TestStore;
  let store: MongoStore;

  beforeAll(async () => {
    server = await startMongo();
    store = await connectMongo(server.url, "stores_test", logger, { serverSelectionTimeoutMs: 500 });
  });
  afterAll(async () => {
    await store.close();
    await server.dispose();
  });

  it("stores and finds documents, and enforces unique indexes", async () => {
    const things = store.db.collection<{ _id: string; sku: string }>("things");
    await things.createIndex({ sku: 1 }, { unique: true });
    await things.insertOne({ _id: "a", sku: "MUG-1" });
    expect(await things.findOne({ _id: "a" })).toEqual({ _id: "a", sku: "MUG-1" });
    await expect(things.insertOne({ _id: "b", sku: "MUG-1" })).rejects.toMatchObject({ code: 11000 });
  });

  it("turns an outage into UNAVAILABLE, and works again once the server is back", async () => {
    if (!server.managed) return;
    await server.stop();
    await expect(store.probe.check(AbortSignal.timeout(5_000))).rejects.toThrow();
    const err = await store.db
      .collection("things")
      .findOne({})
      .catch((e: unknown) => mongoStoreError(e, "catalog store"));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Unavailable);
    await server.start();
    await expect(store.probe.check(AbortSignal.timeout(5_000))).resolves.toBeUndefined();
  });

  it("turns a hung server into UNAVAILABLE after the socket timeout, and works again once it answers", async () => {
    if (!server.managed) return;
    const hanging = await connectMongo(server.url, "stores_test", logger, { serverSelectionTimeoutMs: 500, socketTimeoutMs: 1_000 });
    try {
      const things = hanging.db.collection<{ _id: string; sku: string }>("things");
      await things.insertOne({ _id: "hung", sku: "CAP-1" });
      server.pause();
      const started = Date.now();
      const err = await things.findOne({ _id: "hung" }).catch((e: unknown) => mongoStoreError(e, "catalog store"));
      server.resume();
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.Unavailable);
      // The socket timeout, then the driver's one retry of a read on a new connection, whose
      // handshake gives up after connectTimeoutMS (2 s): bounded, however long the server hangs.
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(await things.findOne({ _id: "hung" })).toEqual({ _id: "hung", sku: "CAP-1" });
    } finally {
      server.resume();
      await hanging.close();
    }
  });
});

describe("Redis store", () => {
  let server: TestStore;
  let store: RedisStore;

  beforeAll(async () => {
    server = await startRedis();
    store = await connectRedis(server.url, logger);
  });
  afterAll(async () => {
    await store.close();
    await server.dispose();
  });

  it("runs commands", async () => {
    await store.client.set("k", "v");
    expect(await store.client.get("k")).toBe("v");
  });

  it("fails commands at once while Redis is down (UNAVAILABLE), and reconnects when it is back", async () => {
    if (!server.managed) return;
    await server.stop();
    const started = Date.now();
    const err = await store.client.get("k").catch((e: unknown) => redisStoreError(e, "cart store"));
    expect((err as ConnectError).code).toBe(Code.Unavailable);
    expect(Date.now() - started).toBeLessThan(1_000);
    await server.start();
    const deadline = Date.now() + 10_000;
    while (
      !(await store.probe.check(AbortSignal.timeout(1_000)).then(
        () => true,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error("redis client did not reconnect");
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
