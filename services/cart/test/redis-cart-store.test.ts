// The Redis cart store against a real redis-server: atomic updates, limits, ordering, expiry,
// and outages reported as UNAVAILABLE.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectRedis, type RedisStore } from "@shopmesh/stores/redis";
import { startRedis, type TestStore } from "@shopmesh/testkit";
import type { ItemToAdd } from "../src/cart.js";
import type { CartStore } from "../src/store/cart-store.js";
import { createRedisCartStore } from "../src/store/redis-cart-store.js";
import { testLogger } from "./fixtures/logger.js";

const item = (productId: string, quantity: number, cents = 1250n, currencyCode = "USD"): ItemToAdd => ({
  productId,
  quantity,
  sku: `SKU-${productId.toUpperCase()}`,
  name: `Product ${productId} ✓`,
  unitPrice: { currencyCode, minor: cents },
});

let userSeq = 0;
const newUser = (): string => `store-user-${++userSeq}`;

describe("the Redis cart store", () => {
  let redisServer: TestStore;
  let redis: RedisStore;
  let store: CartStore;
  let clock = 1_700_000_000_000;

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = await connectRedis(redisServer.url, testLogger);
    store = createRedisCartStore(redis, { ttlSeconds: 3_600, clock: () => clock });
  });

  afterAll(async () => {
    await store.close();
    await redisServer.dispose();
  });

  it("adds lines, keeps them in first-added order and adds to an existing line", async () => {
    const user = newUser();
    await store.addItem(user, item("b", 1));
    await store.addItem(user, item("a", 2));
    const outcome = await store.addItem(user, item("b", 3));
    expect(outcome.added).toBe(true);
    const cart = await store.get(user);
    expect(cart.lines.map((l) => [l.productId, l.quantity])).toEqual([
      ["b", 4],
      ["a", 2],
    ]);
    expect(cart.lines[0]?.name).toBe("Product b ✓");
    expect(cart.updateTimeMs).toBe(clock);
  });

  it("counts every unit of concurrent adds to the same line", async () => {
    const user = newUser();
    const adds = Array.from({ length: 20 }, (_, i) => store.addItem(user, item("p", (i % 3) + 1)));
    await Promise.all(adds);
    const expected = Array.from({ length: 20 }, (_, i) => (i % 3) + 1).reduce((a, b) => a + b, 0);
    expect((await store.get(user)).lines).toEqual([expect.objectContaining({ productId: "p", quantity: expected })]);
  });

  it("refuses a line above 99 units and leaves the cart unchanged", async () => {
    const user = newUser();
    await store.addItem(user, item("p", 98, 100n));
    clock += 1_000;
    const outcome = await store.addItem(user, item("p", 2, 999n));
    expect(outcome).toEqual({ added: false, refusal: { reasons: ["QUANTITY"], quantityInCart: 98, cartCurrency: "USD" } });
    const cart = await store.get(user);
    expect(cart.lines).toEqual([expect.objectContaining({ quantity: 98, unitPrice: { currencyCode: "USD", minor: 100n } })]);
    expect(cart.updateTimeMs).toBe(clock - 1_000);
    expect((await store.addItem(user, item("p", 1))).added).toBe(true);
  });

  it("refuses a 51st product but still adds to the 50 it holds", async () => {
    const user = newUser();
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.addItem(user, item(`p${i}`, 1))));
    expect(await store.addItem(user, item("p50", 1))).toEqual({
      added: false,
      refusal: { reasons: ["CART_FULL"], quantityInCart: 0, cartCurrency: "USD" },
    });
    expect((await store.addItem(user, item("p7", 5))).added).toBe(true);
    const cart = await store.get(user);
    expect(cart.lines).toHaveLength(50);
    expect(cart.lines.find((l) => l.productId === "p7")?.quantity).toBe(6);
  });

  it("refuses a price in another currency than the cart's", async () => {
    const user = newUser();
    await store.addItem(user, item("a", 1, 100n, "USD"));
    expect(await store.addItem(user, item("b", 1, 100n, "EUR"))).toEqual({
      added: false,
      refusal: { reasons: ["CURRENCY"], quantityInCart: 0, cartCurrency: "USD" },
    });
    await store.removeItem(user, "a");
    expect((await store.addItem(user, item("b", 1, 100n, "EUR"))).added).toBe(true);
  });

  it("replaces a line's SKU, name and price with the newest ones", async () => {
    const user = newUser();
    await store.addItem(user, item("p", 1, 1000n));
    await store.addItem(user, { ...item("p", 2, 1200n), sku: "NEW-SKU", name: "Renamed" });
    expect((await store.get(user)).lines).toEqual([
      { productId: "p", sku: "NEW-SKU", name: "Renamed", quantity: 3, unitPrice: { currencyCode: "USD", minor: 1200n } },
    ]);
  });

  it("keeps prices above 2^53 cents exact", async () => {
    const user = newUser();
    const cents = 123_456_789_012_345_678_901n;
    await store.addItem(user, item("p", 1, cents));
    expect((await store.get(user)).lines[0]?.unitPrice.minor).toBe(cents);
  });

  it("removes a line, and removing an absent one changes nothing", async () => {
    const user = newUser();
    await store.addItem(user, item("a", 1));
    await store.addItem(user, item("b", 1));
    clock += 1_000;
    const after = await store.removeItem(user, "a");
    expect(after.lines.map((l) => l.productId)).toEqual(["b"]);
    expect(after.updateTimeMs).toBe(clock);
    clock += 1_000;
    const unchanged = await store.removeItem(user, "a");
    expect(unchanged).toEqual(after);
  });

  it("empties a cart, keeping when it changed; a user without a cart stays without one", async () => {
    const user = newUser();
    await store.addItem(user, item("a", 1));
    clock += 1_000;
    expect(await store.empty(user)).toEqual({ lines: [], updateTimeMs: clock });
    expect(await store.get(user)).toEqual({ lines: [], updateTimeMs: clock });
    const stranger = newUser();
    expect(await store.empty(stranger)).toEqual({ lines: [], updateTimeMs: undefined });
    expect(await store.removeItem(stranger, "a")).toEqual({ lines: [], updateTimeMs: undefined });
    expect(await redis.client.exists(`cart:${stranger}`)).toBe(0);
  });

  it("refreshes the cart's expiry on every write", async () => {
    const user = newUser();
    await store.addItem(user, item("a", 1));
    await redis.client.expire(`cart:${user}`, 10);
    await store.addItem(user, item("a", 1));
    expect(await redis.client.ttl(`cart:${user}`)).toBeGreaterThan(3_000);
    await redis.client.expire(`cart:${user}`, 10);
    await store.removeItem(user, "zzz");
    expect(await redis.client.ttl(`cart:${user}`)).toBeGreaterThan(3_000);
  });

  it("stores integers and strings only, never protobuf objects", async () => {
    const user = newUser();
    await store.addItem(user, item("a", 2, 1999n));
    const hash = await redis.client.hGetAll(`cart:${user}`);
    expect(JSON.parse(hash["line:a"] ?? "")).toEqual({
      seq: 1,
      quantity: 2,
      sku: "SKU-A",
      name: "Product a ✓",
      currency: "USD",
      unit_minor: "1999",
    });
  });

  it("answers UNAVAILABLE while Redis is down and works again once it is back", async () => {
    if (!redisServer.managed) return; // REDIS_URL given: that Redis cannot be stopped here.
    const user = newUser();
    await store.addItem(user, item("a", 1));
    await redisServer.stop();
    for (const attempt of [store.get(user), store.addItem(user, item("a", 1)), store.removeItem(user, "a"), store.empty(user)]) {
      const err = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.Unavailable);
      expect((err as ConnectError).rawMessage).toBe("cart store is unavailable; try again shortly");
    }
    await redisServer.start();
    // The client reconnects by itself; the data went with the old process (no persistence in tests).
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await store.addItem(user, item("a", 1));
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect((await store.get(user)).lines).toEqual([expect.objectContaining({ productId: "a" })]);
  });
});
