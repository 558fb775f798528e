// CartService end to end: the cart server on a real redis-server, calling the real catalog
// service (its own process, on a real FerretDB) for products created through its API.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { PreconditionFailureSchema, ResourceInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { CartService, type Cart } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService, type Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { createGrpcClient, fieldViolations, type GrpcClient, type RunningService } from "@shopmesh/kit";
import { asUser, grpcurl, healthClient, rejection, startMongo, startRedis, type HealthProbe, type TestStore } from "@shopmesh/testkit";
import { startCart } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { startCatalog, type CatalogProcess } from "./fixtures/catalog-process.js";
import { testLogger } from "./fixtures/logger.js";

let userSeq = 0;
const newUser = (): string => `u-${++userSeq}`;

/** A cart's lines as [product id, quantity, unit price, line total] with prices as "12.50 USD". */
function lines(cart: Cart | undefined): [string, number, string, string][] {
  return (cart?.lines ?? []).map((l) => [l.productId, l.quantity, price(l.unitPrice), price(l.lineTotal)]);
}

function price(money: { currencyCode: string; units: bigint; nanos: number } | undefined): string {
  if (money === undefined) return "unset";
  return `${money.units}.${String(money.nanos / 10_000_000).padStart(2, "0")} ${money.currencyCode}`;
}

function cartConfig(redisUrl: string, catalogAddress: string, extra: Record<string, string> = {}) {
  return loadConfig({
    GRPC_PORT: "0",
    REDIS_URL: redisUrl,
    CATALOG_ADDR: catalogAddress,
    PROBE_INTERVAL_MS: "100",
    SHUTDOWN_GRACE_MS: "1000",
    ...extra,
  });
}

describe("CartService", () => {
  let mongo: TestStore;
  let redis: TestStore;
  let catalog: CatalogProcess;
  let admin: GrpcClient<typeof CatalogService>;
  let app: RunningService;
  let cart: GrpcClient<typeof CartService>;
  let skuSeq = 0;

  /** A new catalog product with a known price (in cents). */
  async function newProduct(cents: number, currencyCode = "USD", name = "Test product"): Promise<Product> {
    const res = await admin.upsertProduct({
      product: {
        sku: `CART-TEST-${++skuSeq}`,
        name,
        price: { currencyCode, units: BigInt(Math.floor(cents / 100)), nanos: (cents % 100) * 10_000_000 },
      },
    });
    if (res.product === undefined) throw new Error("UpsertProduct returned no product");
    return res.product;
  }

  beforeAll(async () => {
    [mongo, redis] = await Promise.all([startMongo(), startRedis()]);
    catalog = await startCatalog(mongo.url, "catalog_cart_test");
    admin = createGrpcClient(CatalogService, catalog.address, { defaultTimeoutMs: 10_000 });
    app = await startCart(cartConfig(redis.url, catalog.address), testLogger);
    cart = createGrpcClient(CartService, app.server.address, { defaultTimeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    cart?.close();
    admin?.close();
    await app?.stop();
    await catalog?.stop();
    await redis?.dispose();
    await mongo?.dispose();
  }, 30_000);

  describe("a cart", () => {
    it("is empty for a user who never added anything: no lines, zero USD, no update_time", async () => {
      const res = await cart.getCart({}, asUser(newUser()));
      expect(res.cart?.lines).toEqual([]);
      expect(price(res.cart?.subtotal)).toBe("0.00 USD");
      expect(res.cart?.itemCount).toBe(0);
      expect(res.cart?.updateTime).toBeUndefined();
    });

    it("takes products at their catalog price, with line totals, subtotal and unit count", async () => {
      const user = newUser();
      const mug = await newProduct(1250, "USD", "Mesh mug");
      const pen = await newProduct(399);
      const before = Date.now();
      await cart.addItem({ productId: mug.id, quantity: 2 }, asUser(user));
      const added = await cart.addItem({ productId: pen.id, quantity: 1 }, asUser(user));
      expect(lines(added.cart)).toEqual([
        [mug.id, 2, "12.50 USD", "25.00 USD"],
        [pen.id, 1, "3.99 USD", "3.99 USD"],
      ]);
      expect(added.cart?.lines[0]).toMatchObject({ sku: mug.sku, name: "Mesh mug" });
      expect(price(added.cart?.subtotal)).toBe("28.99 USD");
      expect(added.cart?.itemCount).toBe(3);
      const updated = Number(added.cart?.updateTime?.seconds) * 1000;
      expect(updated).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);

      const read = await cart.getCart({}, asUser(user));
      expect(read.cart).toEqual(added.cart);
    });

    it("removes a line whatever its quantity; removing an absent product changes nothing", async () => {
      const user = newUser();
      const a = await newProduct(100);
      const b = await newProduct(200);
      await cart.addItem({ productId: a.id, quantity: 5 }, asUser(user));
      await cart.addItem({ productId: b.id, quantity: 1 }, asUser(user));
      const removed = await cart.removeItem({ productId: a.id }, asUser(user));
      expect(lines(removed.cart)).toEqual([[b.id, 1, "2.00 USD", "2.00 USD"]]);
      expect(price(removed.cart?.subtotal)).toBe("2.00 USD");
      const again = await cart.removeItem({ productId: a.id }, asUser(user));
      expect(again.cart).toEqual(removed.cart);
      const unknown = await cart.removeItem({ productId: "never-existed" }, asUser(user));
      expect(unknown.cart).toEqual(removed.cart);
    });

    it("empties, and emptying an empty cart succeeds", async () => {
      const user = newUser();
      const a = await newProduct(100);
      await cart.addItem({ productId: a.id, quantity: 3 }, asUser(user));
      const emptied = await cart.emptyCart({}, asUser(user));
      expect(emptied.cart?.lines).toEqual([]);
      expect(price(emptied.cart?.subtotal)).toBe("0.00 USD");
      expect(emptied.cart?.itemCount).toBe(0);
      expect(emptied.cart?.updateTime).toBeDefined(); // it had lines: it changed
      expect((await cart.emptyCart({}, asUser(user))).cart).toEqual(emptied.cart);
      expect((await cart.getCart({}, asUser(user))).cart).toEqual(emptied.cart);
      const stranger = await cart.emptyCart({}, asUser(newUser()));
      expect(stranger.cart?.lines).toEqual([]);
      expect(stranger.cart?.updateTime).toBeUndefined();
    });

    it("belongs to one user: another user's cart is separate", async () => {
      const alice = newUser();
      const bob = newUser();
      const a = await newProduct(100);
      await cart.addItem({ productId: a.id, quantity: 2 }, asUser(alice));
      await cart.addItem({ productId: a.id, quantity: 7 }, asUser(bob));
      expect(lines((await cart.getCart({}, asUser(alice))).cart)).toEqual([[a.id, 2, "1.00 USD", "2.00 USD"]]);
      await cart.emptyCart({}, asUser(bob));
      expect(lines((await cart.getCart({}, asUser(alice))).cart)).toEqual([[a.id, 2, "1.00 USD", "2.00 USD"]]);
      expect((await cart.getCart({}, asUser(bob))).cart?.lines).toEqual([]);
    });
  });

  describe("AddItem", () => {
    it("adds quantities up across calls, concurrent ones included", async () => {
      const user = newUser();
      const a = await newProduct(150);
      await cart.addItem({ productId: a.id, quantity: 4 }, asUser(user));
      await cart.addItem({ productId: a.id, quantity: 5 }, asUser(user));
      await Promise.all(Array.from({ length: 12 }, (_, i) => cart.addItem({ productId: a.id, quantity: (i % 3) + 1 }, asUser(user))));
      const res = await cart.getCart({}, asUser(user));
      expect(lines(res.cart)).toEqual([[a.id, 9 + 24, "1.50 USD", "49.50 USD"]]);
      expect(res.cart?.itemCount).toBe(33);
    });

    it("refuses more than 99 units on a line with FAILED_PRECONDITION QUANTITY; the cart is unchanged", async () => {
      const user = newUser();
      const a = await newProduct(100);
      await cart.addItem({ productId: a.id, quantity: 98 }, asUser(user));
      const before = await cart.getCart({}, asUser(user));
      const err = await rejection(cart.addItem({ productId: a.id, quantity: 2 }, asUser(user)));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(err.rawMessage).toContain(a.id);
      expect(err.findDetails(PreconditionFailureSchema).flatMap((d) => d.violations)).toEqual([
        expect.objectContaining({ type: "QUANTITY", subject: `product/${a.id}` }),
      ]);
      expect((await cart.getCart({}, asUser(user))).cart).toEqual(before.cart);
      const full = await cart.addItem({ productId: a.id, quantity: 1 }, asUser(user));
      expect(full.cart?.lines[0]?.quantity).toBe(99);
      expect((await rejection(cart.addItem({ productId: a.id, quantity: 1 }, asUser(user)))).code).toBe(Code.FailedPrecondition);
    });

    it("takes 99 units of a product in one call", async () => {
      const a = await newProduct(100);
      const res = await cart.addItem({ productId: a.id, quantity: 99 }, asUser(newUser()));
      expect(lines(res.cart)).toEqual([[a.id, 99, "1.00 USD", "99.00 USD"]]);
    });

    it("refuses a 51st distinct product with FAILED_PRECONDITION CART_FULL, but adds to the 50", async () => {
      const user = newUser();
      const products: Product[] = [];
      for (let i = 0; i < 51; i += 17) {
        products.push(...(await Promise.all(Array.from({ length: 17 }, () => newProduct(100)))));
      }
      await Promise.all(products.slice(0, 50).map((p) => cart.addItem({ productId: p.id, quantity: 1 }, asUser(user))));
      const extra = products[50];
      if (extra === undefined) throw new Error("not enough products");
      const err = await rejection(cart.addItem({ productId: extra.id, quantity: 1 }, asUser(user)));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(err.findDetails(PreconditionFailureSchema).flatMap((d) => d.violations)).toEqual([
        expect.objectContaining({ type: "CART_FULL", subject: "cart" }),
      ]);
      const more = await cart.addItem({ productId: products[3]?.id ?? "", quantity: 2 }, asUser(user));
      expect(more.cart?.lines).toHaveLength(50);
      expect(more.cart?.itemCount).toBe(52);
      expect(price(more.cart?.subtotal)).toBe("52.00 USD");
      expect(new Set(more.cart?.lines.map((l) => l.productId))).toEqual(new Set(products.slice(0, 50).map((p) => p.id)));
    });

    it("refreshes the line's price, name and SKU from the catalog when adding again", async () => {
      const user = newUser();
      const p = await newProduct(1000, "USD", "Old name");
      await cart.addItem({ productId: p.id, quantity: 1 }, asUser(user));
      await admin.upsertProduct({
        product: { id: p.id, sku: `${p.sku}-B`, name: "New name", price: { currencyCode: "USD", units: 12n, nanos: 0 } },
      });
      // The line keeps the price it was added at until it changes again.
      expect(lines((await cart.getCart({}, asUser(user))).cart)).toEqual([[p.id, 1, "10.00 USD", "10.00 USD"]]);
      const res = await cart.addItem({ productId: p.id, quantity: 1 }, asUser(user));
      expect(lines(res.cart)).toEqual([[p.id, 2, "12.00 USD", "24.00 USD"]]);
      expect(res.cart?.lines[0]).toMatchObject({ sku: `${p.sku}-B`, name: "New name" });
      expect(price(res.cart?.subtotal)).toBe("24.00 USD");
    });

    it("refuses a product priced in another currency than the cart's with FAILED_PRECONDITION CURRENCY", async () => {
      const user = newUser();
      const usd = await newProduct(100, "USD");
      const eur = await newProduct(100, "EUR");
      await cart.addItem({ productId: usd.id, quantity: 1 }, asUser(user));
      const before = await cart.getCart({}, asUser(user));
      const err = await rejection(cart.addItem({ productId: eur.id, quantity: 1 }, asUser(user)));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(err.findDetails(PreconditionFailureSchema).flatMap((d) => d.violations)).toEqual([
        expect.objectContaining({ type: "CURRENCY", subject: `product/${eur.id}` }),
      ]);
      expect((await cart.getCart({}, asUser(user))).cart).toEqual(before.cart);
    });

    it("answers NOT_FOUND naming an unknown product, and adds nothing", async () => {
      const user = newUser();
      const err = await rejection(cart.addItem({ productId: "no-such-product", quantity: 1 }, asUser(user)));
      expect(err.code).toBe(Code.NotFound);
      expect(err.rawMessage).toBe("product no-such-product not found");
      expect(err.findDetails(ResourceInfoSchema)).toEqual([
        expect.objectContaining({ resourceType: "shop.catalog.v1.Product", resourceName: "no-such-product" }),
      ]);
      expect((await cart.getCart({}, asUser(user))).cart?.lines).toEqual([]);
    });
  });

  describe("bad input", () => {
    const cases: [string, { productId: string; quantity: number }, string[]][] = [
      ["an empty product_id", { productId: "", quantity: 1 }, ["product_id"]],
      ["a product_id of 65 characters", { productId: "p".repeat(65), quantity: 1 }, ["product_id"]],
      ["a quantity of 0", { productId: "p-1", quantity: 0 }, ["quantity"]],
      ["a negative quantity", { productId: "p-1", quantity: -1 }, ["quantity"]],
      ["a quantity of 100", { productId: "p-1", quantity: 100 }, ["quantity"]],
      ["both fields wrong", { productId: "", quantity: 0 }, ["product_id", "quantity"]],
    ];
    it.each(cases)("AddItem with %s is INVALID_ARGUMENT naming the field", async (_, request, fields) => {
      const err = await rejection(cart.addItem(request, asUser(newUser())));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(err).map((v) => v.field)).toEqual(fields);
      for (const field of fields) expect(err.rawMessage).toContain(`invalid ${field}`);
    });

    it("AddItem accepts a product_id of 64 characters (then it is simply not found)", async () => {
      expect((await rejection(cart.addItem({ productId: "é".repeat(64), quantity: 1 }, asUser(newUser())))).code).toBe(Code.NotFound);
    });

    it.each([
      ["an empty product_id", ""],
      ["a product_id of 65 characters", "p".repeat(65)],
    ])("RemoveItem with %s is INVALID_ARGUMENT naming product_id", async (_, productId) => {
      const err = await rejection(cart.removeItem({ productId }, asUser(newUser())));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(err).map((v) => v.field)).toEqual(["product_id"]);
    });

    const noIdentity: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      ["GetCart", () => cart.getCart({}), () => cart.getCart({}, asUser("bad user!"))],
      ["AddItem", () => cart.addItem({ productId: "", quantity: 0 }), () => cart.addItem({ productId: "p", quantity: 1 }, asUser(""))],
      ["RemoveItem", () => cart.removeItem({ productId: "" }), () => cart.removeItem({ productId: "p" }, asUser("x".repeat(129)))],
      ["EmptyCart", () => cart.emptyCart({}), () => cart.emptyCart({}, asUser("a b"))],
    ];
    it.each(noIdentity)("%s without a caller identity, or with a malformed one, is UNAUTHENTICATED", async (_, missing, malformed) => {
      for (const call of [missing, malformed]) {
        const err = await rejection(call());
        expect(err.code).toBe(Code.Unauthenticated);
        expect(fieldViolations(err)).toEqual([]);
      }
    });
  });

  describe("when the catalog fails", () => {
    it("answers UNAVAILABLE at once while the catalog is down, serves the rest, and recovers when it is back", async () => {
      const user = newUser();
      const p = await newProduct(500);
      await cart.addItem({ productId: p.id, quantity: 1 }, asUser(user));
      await catalog.kill();
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const err = await rejection(cart.addItem({ productId: p.id, quantity: 1 }, asUser(user)));
        const elapsed = performance.now() - started;
        expect(err.code).toBe(Code.Unavailable);
        expect(err.rawMessage).toBe("the catalog is unavailable; try again shortly");
        expect(elapsed).toBeLessThan(1_000); // the catalog timeout is 2 s
      }
      // Reading and removing do not need the catalog.
      expect(lines((await cart.getCart({}, asUser(user))).cart)).toEqual([[p.id, 1, "5.00 USD", "5.00 USD"]]);

      await catalog.start();
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          const res = await cart.addItem({ productId: p.id, quantity: 1 }, asUser(user));
          expect(res.cart?.lines[0]?.quantity).toBe(2);
          break;
        } catch (err) {
          expect(ConnectError.from(err).code).toBe(Code.Unavailable);
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }, 40_000);

    it("answers UNAVAILABLE after CATALOG_TIMEOUT_MS when the catalog hangs", async () => {
      const user = newUser();
      const p = await newProduct(500);
      const impatient = await startCart(cartConfig(redis.url, catalog.address, { CATALOG_TIMEOUT_MS: "300" }), testLogger);
      const client = createGrpcClient(CartService, impatient.server.address, { defaultTimeoutMs: 10_000 });
      try {
        await client.addItem({ productId: p.id, quantity: 1 }, asUser(user)); // connected while healthy
        catalog.pause();
        const started = performance.now();
        const err = await rejection(client.addItem({ productId: p.id, quantity: 1 }, asUser(user)));
        const elapsed = performance.now() - started;
        expect(err.code).toBe(Code.Unavailable);
        expect(err.rawMessage).toBe("the catalog is unavailable; try again shortly");
        expect(elapsed).toBeGreaterThanOrEqual(250);
        expect(elapsed).toBeLessThan(300 + 1_000);
      } finally {
        catalog.resume();
        client.close();
        await impatient.stop();
      }
      expect(lines((await cart.getCart({}, asUser(user))).cart)).toEqual([[p.id, 1, "5.00 USD", "5.00 USD"]]);
    });
  });

  it("forgets a cart nobody wrote to for CART_TTL_SECONDS", async () => {
    const shortLived = await startCart(cartConfig(redis.url, catalog.address, { CART_TTL_SECONDS: "1" }), testLogger);
    const client = createGrpcClient(CartService, shortLived.server.address, { defaultTimeoutMs: 10_000 });
    try {
      const user = newUser();
      const p = await newProduct(100);
      await client.addItem({ productId: p.id, quantity: 1 }, asUser(user));
      const added = performance.now();
      expect((await client.getCart({}, asUser(user))).cart?.lines).toHaveLength(1);
      let cartNow: Cart | undefined;
      do {
        await new Promise((r) => setTimeout(r, 100));
        cartNow = (await client.getCart({}, asUser(user))).cart;
      } while ((cartNow?.lines.length ?? 0) > 0 && performance.now() - added < 5_000);
      expect(performance.now() - added).toBeGreaterThan(900);
      expect(cartNow?.lines).toEqual([]);
      expect(cartNow?.updateTime).toBeUndefined();
    } finally {
      client.close();
      await shortLived.stop();
    }
  });

  it("answers grpcurl: list, describe and a real GetCart", async () => {
    const user = newUser();
    const p = await newProduct(1250, "USD", "Grpcurl mug");
    await cart.addItem({ productId: p.id, quantity: 2 }, asUser(user));
    const address = app.server.address;

    const list = await grpcurl([address, "list"]);
    expect(list.exitCode).toBe(0);
    expect(list.stdout.split("\n")).toContain("shop.cart.v1.CartService");

    const describe = await grpcurl([address, "describe", "shop.cart.v1.CartService"]);
    expect(describe.exitCode).toBe(0);
    expect(describe.stdout).toContain("rpc AddItem ( .shop.cart.v1.AddItemRequest ) returns ( .shop.cart.v1.AddItemResponse );");

    const get = await grpcurl(["-H", `x-shop-user-id: ${user}`, address, "shop.cart.v1.CartService/GetCart"], { data: {} });
    expect(get.exitCode).toBe(0);
    const body = JSON.parse(get.stdout) as {
      cart: { lines: { productId: string; name: string; quantity: number }[]; itemCount: number; subtotal: unknown };
    };
    expect(body.cart.lines).toEqual([expect.objectContaining({ productId: p.id, name: "Grpcurl mug", quantity: 2 })]);
    expect(body.cart.itemCount).toBe(2);
    expect(body.cart.subtotal).toEqual({ currencyCode: "USD", units: "25" });

    const anonymous = await grpcurl([address, "shop.cart.v1.CartService/GetCart"], { data: {} });
    expect(anonymous.exitCode).not.toBe(0);
    expect(anonymous.stderr).toContain("Code: Unauthenticated");
  });

  // Last: the test Redis keeps no data across a restart.
  it("is NOT_SERVING and UNAVAILABLE while Redis is down, SERVING and working once it is back", async () => {
    if (!redis.managed) return; // REDIS_URL given: that Redis cannot be stopped here.
    const health: HealthProbe = healthClient(app.server.address);
    try {
      await health.waitFor("SERVING");
      await redis.stop();
      await health.waitFor("NOT_SERVING");
      expect(await health.check("shop.cart.v1.CartService")).toBe("NOT_SERVING");
      const err = await rejection(cart.getCart({}, asUser(newUser())));
      expect(err.code).toBe(Code.Unavailable);
      expect(err.rawMessage).toBe("cart store is unavailable; try again shortly");
      await redis.start();
      await health.waitFor("SERVING");
      expect(await health.check("shop.cart.v1.CartService")).toBe("SERVING");
      const user = newUser();
      const p = await newProduct(100);
      expect((await cart.addItem({ productId: p.id, quantity: 1 }, asUser(user))).cart?.itemCount).toBe(1);
    } finally {
      health.close();
    }
  });
});
