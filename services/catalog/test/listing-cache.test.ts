// Cached listings against a real FerretDB: two replicas on one database, a change through one of
// them, a change behind both of them, and the pages themselves (tokens, filters, order, memory).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { CatalogService, type Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { createGrpcClient, type GrpcClient, type RunningService } from "@shopmesh/kit";
import { connectMongo, type MongoStore } from "@shopmesh/stores/mongo";
import { eventually, startMongo, type TestStore } from "@shopmesh/testkit";
import { startCatalog } from "../src/app.js";
import type { CatalogConfig } from "../src/config.js";
import { createCachedCatalogStore } from "../src/store/cached-catalog-store.js";
import type { CatalogStore, ProductPage } from "../src/store/catalog-store.js";
import { createMongoCatalogStore, productsCollection } from "../src/store/mongo-catalog-store.js";
import { present, quietLogger, testConfig } from "./support.js";

/** The bound the replicas are started with: long enough to see a cached page on a busy machine. */
const maxAgeMs = 1_500;
/** What a busy machine may add to the bound: a store query, a scheduling delay. */
const marginMs = 1_000;

type Catalog = GrpcClient<typeof CatalogService>;
type Walk = { readonly ids: string[]; readonly names: string[]; readonly tokens: string[] };

/** Every page of a listing (`query` set: a search), walked with `pageSize`. */
async function walk(catalog: Catalog, request: { pageSize: number; category?: string; query?: string }): Promise<Walk> {
  const products: Product[] = [];
  const tokens: string[] = [];
  let pageToken = "";
  do {
    const { query, ...list } = request;
    const res =
      query === undefined
        ? await catalog.listProducts({ ...list, pageToken })
        : await catalog.searchProducts({ query, pageSize: request.pageSize, pageToken });
    products.push(...res.products);
    pageToken = res.nextPageToken;
    tokens.push(pageToken);
  } while (pageToken !== "" && tokens.length < 200);
  return { ids: products.map((p) => p.id), names: products.map((p) => p.name), tokens };
}

/** The whole catalog, on one page. */
const firstPage = async (catalog: Catalog) => (await catalog.listProducts({ pageSize: 100 })).products;

describe("cached listings", () => {
  let mongo: TestStore;
  let config: CatalogConfig;
  let direct: MongoStore;
  const apps: RunningService[] = [];
  const clients: Catalog[] = [];
  /** Two replicas with the cache, and one without it: the store's own answer. */
  let replicaA: Catalog;
  let replicaB: Catalog;
  let uncached: Catalog;

  async function start(env: Record<string, string>): Promise<Catalog> {
    const app = await startCatalog({ ...config, ...testConfig(mongo.url, { MONGO_DB: config.mongo.db, ...env }) }, quietLogger());
    apps.push(app);
    const client = createGrpcClient(CatalogService, app.server.address, { defaultTimeoutMs: 10_000 });
    clients.push(client);
    return client;
  }

  const secret = { PAGE_TOKEN_SECRET: "a-secret-every-replica-of-the-test-shares" };

  beforeAll(async () => {
    mongo = await startMongo();
    config = testConfig(mongo.url, secret);
    const cached = { ...secret, LISTING_CACHE_MAX_AGE_MS: String(maxAgeMs) };
    replicaA = await start(cached);
    replicaB = await start(cached);
    uncached = await start({ ...secret, LISTING_CACHE_MAX_AGE_MS: "0" });
    direct = await connectMongo(mongo.url, config.mongo.db, quietLogger());
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const app of apps) await app.stop();
    await direct?.close();
    await mongo?.dispose();
  });

  /** Renames a product through replica A, returning it as stored. */
  async function rename(id: string, name: string): Promise<Product> {
    const product = present((await replicaA.getProduct({ id })).product);
    return present((await replicaA.upsertProduct({ product: { ...product, name } })).product);
  }

  /** Changes a product in the database itself, as no replica would: no new version. */
  const productsOf = (mongo: MongoStore) => mongo.db.collection<{ _id: string; name: string }>(productsCollection);
  const renameBehindTheirBacks = (id: string, name: string) => productsOf(direct).updateOne({ _id: id }, { $set: { name } });

  describe("a change through UpsertProduct", () => {
    it("is served by the other replica on its very next call, in lists, searches and by id", async () => {
      for (let round = 0; round < 5; round++) {
        // B has the pages cached (asked twice), then A changes a product on them.
        for (let i = 0; i < 2; i++) {
          await firstPage(replicaB);
          await replicaB.searchProducts({ query: "mug" });
          await replicaB.listProducts({ category: "kitchen" });
        }
        const name = `Mesh Mug, Blue (round ${round})`;
        await rename("p-mug-blue-350", name);
        expect((await firstPage(replicaB)).find((p) => p.id === "p-mug-blue-350")?.name).toBe(name);
        expect((await replicaB.searchProducts({ query: "mug" })).products.find((p) => p.id === "p-mug-blue-350")?.name).toBe(name);
        expect((await replicaB.listProducts({ category: "kitchen" })).products.find((p) => p.id === "p-mug-blue-350")?.name).toBe(name);
        expect((await replicaB.searchProducts({ query: `(round ${round})` })).products.map((p) => p.id)).toEqual(["p-mug-blue-350"]);
        expect((await replicaB.getProduct({ id: "p-mug-blue-350" })).product?.name).toBe(name);
      }
    });

    it("is served at once by the replica that made it, and a new product joins its cached pages and searches", async () => {
      const before = await walk(replicaA, { pageSize: 5, category: "mugs" });
      const { product } = await replicaA.upsertProduct({
        product: { sku: "MUG-GREEN-350", name: "Mesh Mug, Green", price: { currencyCode: "USD", units: 12n }, categories: ["mugs"] },
      });
      const id = present(product).id;
      for (const replica of [replicaA, replicaB]) {
        expect((await walk(replica, { pageSize: 5, category: "mugs" })).ids).toEqual([...before.ids, id].sort());
        expect((await replica.searchProducts({ query: "mug, green" })).products.map((p) => p.id)).toEqual([id]);
      }
    });
  });

  describe("a change behind the replicas' backs (in the database directly)", () => {
    it("is served old from the cache, and new within the bound", async () => {
      // A new version empties the caches, so B reads the page now and its age starts here.
      await rename("p-kettle-goose-1l", "Gooseneck Kettle");
      const readAt = Date.now();
      expect((await firstPage(replicaB)).find((p) => p.id === "p-kettle-goose-1l")?.name).toBe("Gooseneck Kettle");
      await renameBehindTheirBacks("p-kettle-goose-1l", "Gooseneck Kettle, renamed in the database");

      // The store has the new name (the uncached replica says so), B its cached page: the cache is used.
      expect((await firstPage(uncached)).find((p) => p.id === "p-kettle-goose-1l")?.name).toBe("Gooseneck Kettle, renamed in the database");
      const servedOld = (await firstPage(replicaB)).find((p) => p.id === "p-kettle-goose-1l")?.name === "Gooseneck Kettle";
      if (Date.now() - readAt < maxAgeMs) expect(servedOld).toBe(true);

      await eventually(
        async () =>
          (await firstPage(replicaB)).find((p) => p.id === "p-kettle-goose-1l")?.name === "Gooseneck Kettle, renamed in the database",
        { timeoutMs: maxAgeMs + marginMs, intervalMs: 20, what: "replica B serves the new name" },
      );
      expect(Date.now() - readAt).toBeLessThanOrEqual(maxAgeMs + marginMs);
    });

    it("keeps a deleted product on a cached page for at most the bound, and pages on after it", async () => {
      const made = new Map<string, string>();
      for (const [sku, name] of [
        ["GONE-SOON", "Soon deleted"],
        ["STAYS-ON", "Stays"],
      ] as const) {
        const { product } = await replicaA.upsertProduct({
          product: { sku, name, price: { currencyCode: "USD", units: 1n }, categories: ["gone-soon"] },
        });
        made.set(present(product).id, name);
      }
      // Ids are random: the product deleted is whichever the first page of one holds.
      const page = await replicaB.listProducts({ category: "gone-soon", pageSize: 1 });
      const id = present(page.products[0]).id;
      const stays = [...made].find(([other]) => other !== id)?.[1];
      const readAt = Date.now();
      await productsOf(direct).deleteOne({ _id: id });

      const cachedAgain = await replicaB.listProducts({ category: "gone-soon", pageSize: 1 });
      if (Date.now() - readAt < maxAgeMs) expect(cachedAgain.products.map((p) => p.id)).toEqual([id]);
      // The token of a page whose last product is gone still leads to the products after it.
      const next = await uncached.listProducts({ category: "gone-soon", pageSize: 1, pageToken: page.nextPageToken });
      expect(next.products.map((p) => p.name)).toEqual([stays]);
      await eventually(async () => !(await walk(replicaB, { pageSize: 1, category: "gone-soon" })).ids.includes(id), {
        timeoutMs: maxAgeMs + marginMs,
        intervalMs: 20,
        what: "the deleted product leaves replica B's pages",
      });
      expect(Date.now() - readAt).toBeLessThanOrEqual(maxAgeMs + marginMs);
      expect((await walk(replicaB, { pageSize: 1, category: "gone-soon" })).names).toEqual([stays]);
    });
  });

  it("pages, filters and orders as the store does, from the cache too (tokens included)", async () => {
    const listings = [
      ...[1, 5, 7, 12, 100].map((pageSize) => ({ pageSize })),
      { pageSize: 2, category: "kitchen" },
      { pageSize: 3, category: "books" },
      { pageSize: 4, category: "no-such-category" },
      { pageSize: 2, query: "mesh" },
      { pageSize: 3, query: "MUG" },
      { pageSize: 5, query: "o" },
      { pageSize: 1, query: "no such text anywhere" },
    ];
    // A new version: nothing cached before the changes behind the replicas' backs is served.
    await rename("p-mug-blue-350", "Mesh Mug, Blue");
    for (const listing of listings) {
      const truth = await walk(uncached, listing);
      expect(truth.ids).toEqual([...truth.ids].sort());
      for (let i = 0; i < 2; i++) expect(await walk(replicaB, listing)).toEqual(truth);
    }
  });
});

describe("the cache's memory", () => {
  let mongo: TestStore;
  let connection: MongoStore;
  let store: CatalogStore;

  beforeAll(async () => {
    mongo = await startMongo();
    connection = await connectMongo(mongo.url, "catalog_memory_test", quietLogger());
    store = await createMongoCatalogStore(connection, quietLogger());
    const products = Array.from({ length: 60 }, (_, i) => ({
      id: `p-mem-${String(i).padStart(2, "0")}`,
      fields: {
        sku: `MEM-${i}`,
        name: `Memory test ${i}`,
        description: "x".repeat(500),
        price: { currencyCode: "USD", minor: 100n },
        categories: [`group-${i % 3}`],
        imageUrl: "",
      },
    }));
    await store.seed(products, new Date());
  });

  afterAll(async () => {
    await connection?.close();
    await mongo?.dispose();
  });

  const ids = (page: ProductPage) => page.products.map((p) => p.id);

  it("stays within its bound, evicting the least recently used pages, and answers the same as the store", async () => {
    const maxBytes = 20_000;
    const cached = createCachedCatalogStore(store, { maxAgeMs: 60_000, maxBytes });
    let pagesAsked = 0;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 60; i += 3) {
        const afterId = i === 0 ? "" : `p-mem-${String(i - 1).padStart(2, "0")}`;
        for (const [page, truth] of [
          [await cached.list("", { afterId, limit: 3 }), await store.list("", { afterId, limit: 3 })],
          [await cached.list(`group-${i % 3}`, { afterId, limit: 2 }), await store.list(`group-${i % 3}`, { afterId, limit: 2 })],
          [await cached.search(`test ${i}`, { afterId: "", limit: 5 }), await store.search(`test ${i}`, { afterId: "", limit: 5 })],
        ] as const) {
          pagesAsked++;
          expect(ids(page)).toEqual(ids(truth));
          expect(page.more).toBe(truth.more);
          expect(cached.stats().bytes).toBeLessThanOrEqual(maxBytes);
        }
      }
    }
    // Something was cached, and pages had to go to stay within the bound.
    expect(cached.stats().pages).toBeGreaterThan(0);
    expect(cached.stats().pages).toBeLessThan(pagesAsked / 2);
    expect(cached.stats().bytes).toBeGreaterThan(maxBytes / 4);
  });

  it("answers a page larger than its whole bound without keeping it", async () => {
    const cached = createCachedCatalogStore(store, { maxAgeMs: 60_000, maxBytes: 2_000 });
    const page = await cached.list("", { afterId: "", limit: 50 });
    expect(ids(page)).toEqual(ids(await store.list("", { afterId: "", limit: 50 })));
    expect(cached.stats()).toEqual({ pages: 0, bytes: 0 });
  });

  it("is not there at all with a max age of 0", async () => {
    const cached = createCachedCatalogStore(store, { maxAgeMs: 0, maxBytes: 1_000_000 });
    await cached.list("", { afterId: "", limit: 5 });
    expect(cached.stats()).toEqual({ pages: 0, bytes: 0 });
  });
});
