// Starting, restarting and losing the store: seeding, page tokens across restarts, health.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { createGrpcClient, fieldViolations, type GrpcClient, type RunningService } from "@shopmesh/kit";
import { healthClient, startMongo, type TestStore } from "@shopmesh/testkit";
import { startCatalog } from "../src/app.js";
import type { CatalogConfig } from "../src/config.js";
import { demoCatalog } from "../src/demo-catalog.js";
import { present, quietLogger, rejection, testConfig } from "./support.js";

describe("catalog lifecycle", () => {
  let mongo: TestStore;
  const running: { app: RunningService; client: GrpcClient<typeof CatalogService> }[] = [];

  /** Starts a catalog (stopped in afterAll, or earlier by `stop`). */
  async function start(config: CatalogConfig) {
    const app = await startCatalog(config, quietLogger(), { mongo: { serverSelectionTimeoutMs: 500 } });
    const client = createGrpcClient(CatalogService, app.server.address, { defaultTimeoutMs: 10_000 });
    const entry = { app, client };
    running.push(entry);
    return {
      ...entry,
      stop: async () => {
        running.splice(running.indexOf(entry), 1);
        client.close();
        await app.stop();
      },
    };
  }

  beforeAll(async () => {
    mongo = await startMongo();
  });

  afterAll(async () => {
    for (const { app, client } of running.splice(0)) {
      client.close();
      await app.stop();
    }
    await mongo?.dispose();
  });

  it("seeds the demo catalog once: a restart neither duplicates nor overwrites it", async () => {
    const config = testConfig(mongo.url);
    const first = await start(config);
    const seeded = await first.client.listProducts({ pageSize: 100 });
    expect(seeded.products.map((p) => p.id)).toEqual(demoCatalog.map((p) => p.id).sort());
    expect(seeded.products.length).toBeGreaterThanOrEqual(20);
    const mug = present((await first.client.getProduct({ id: "p-mug-blue-350" })).product);
    await first.client.upsertProduct({ product: { ...mug, name: "Renamed by an admin" } });
    await first.stop();

    const second = await start(config);
    const after = await second.client.listProducts({ pageSize: 100 });
    expect(after.products.map((p) => p.id)).toEqual(seeded.products.map((p) => p.id));
    expect(new Set(after.products.map((p) => p.sku)).size).toBe(after.products.length);
    expect((await second.client.getProduct({ id: "p-mug-blue-350" })).product?.name).toBe("Renamed by an admin");
    await second.stop();
  });

  it("skips a demo product whose id another SKU took, without failing the start", async () => {
    const config = testConfig(mongo.url);
    const first = await start(config);
    const tent = present((await first.client.getProduct({ id: "p-tent-2p" })).product);
    await first.client.upsertProduct({ product: { ...tent, sku: "TENT-2P-V2" } });
    await first.stop();
    const second = await start(config);
    const { products } = await second.client.listProducts({ pageSize: 100 });
    expect(products).toHaveLength(demoCatalog.length);
    expect(products.find((p) => p.id === "p-tent-2p")?.sku).toBe("TENT-2P-V2");
    await second.stop();
  });

  it("starts empty with SEED_DEMO_CATALOG=false", async () => {
    const { client, stop } = await start(testConfig(mongo.url, { SEED_DEMO_CATALOG: "false" }));
    expect(await client.listProducts({})).toMatchObject({ products: [], nextPageToken: "" });
    await stop();
  });

  it("returns at most 100 products a page however large page_size is", async () => {
    const { client, stop } = await start(testConfig(mongo.url));
    const extra = 101 - demoCatalog.length;
    for (let i = 0; i < extra; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, extra - i) }, (_, j) =>
          client.upsertProduct({
            product: { sku: `BULK-${i + j}`, name: `Bulk ${i + j}`, price: { currencyCode: "USD", units: 1n } },
          }),
        ),
      );
    }
    const page = await client.listProducts({ pageSize: 2_000_000 });
    expect(page.products).toHaveLength(100);
    const rest = await client.listProducts({ pageSize: 2_000_000, pageToken: page.nextPageToken });
    expect(rest).toMatchObject({ products: [expect.anything()], nextPageToken: "" });
    await stop();
  });

  it("honours page tokens across a restart when PAGE_TOKEN_SECRET is set, and only then", async () => {
    const secret = { PAGE_TOKEN_SECRET: "a-test-secret-that-is-long-enough-1234" };
    const config = testConfig(mongo.url, secret);
    const first = await start(config);
    const { nextPageToken } = await first.client.listProducts({ pageSize: 5 });
    await first.stop();

    const sameSecret = await start(config);
    const next = await sameSecret.client.listProducts({ pageSize: 5, pageToken: nextPageToken });
    expect(next.products).toHaveLength(5);
    await sameSecret.stop();

    const randomKey = await start(testConfig(mongo.url, { MONGO_DB: config.mongo.db }));
    const err = await rejection(randomKey.client.listProducts({ pageSize: 5, pageToken: nextPageToken }));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(err).map((v) => v.field)).toEqual(["page_token"]);
    await randomKey.stop();
  });

  it("is NOT_SERVING and answers UNAVAILABLE while the store is down, and recovers when it returns", async () => {
    if (!mongo.managed) return; // MONGO_URL given: the test cannot stop that server.
    const { app, client, stop } = await start(testConfig(mongo.url));
    const health = healthClient(app.server.address);
    try {
      await health.waitFor("SERVING");
      await client.listProducts({ pageSize: 12 });
      await mongo.stop();
      await health.waitFor("NOT_SERVING");
      expect(await health.check("shop.catalog.v1.CatalogService")).toBe("NOT_SERVING");
      const err = await rejection(client.getProduct({ id: "p-mug-blue-350" }));
      expect(err.code).toBe(Code.Unavailable);
      expect(err.rawMessage).toContain("catalog store");
      // Cached pages are not served while the store cannot say whether they are current.
      expect((await rejection(client.listProducts({ pageSize: 12 }))).code).toBe(Code.Unavailable);
      await mongo.start();
      await health.waitFor("SERVING");
      expect((await client.getProduct({ id: "p-mug-blue-350" })).product?.sku).toBe("MUG-BLUE-350");
    } finally {
      health.close();
      await stop();
    }
  });
});
