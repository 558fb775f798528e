// Bootstrap shared by main and the tests: connect the store, prepare it, serve.
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { createShopServer, register, tokenKey, type Logger, type ShopServer } from "@shopmesh/kit";
import { connectMongo, type MongoOptions } from "@shopmesh/stores";
import type { CatalogConfig } from "./config.js";
import { demoCatalogSeed } from "./demo-catalog.js";
import { PageTokens } from "./page-token.js";
import { createCatalogService } from "./service.js";
import { MongoCatalogStore } from "./store/mongo-catalog-store.js";

export interface CatalogApp {
  readonly server: ShopServer;
  /** Stops serving (gracefully), then closes the store connection. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly clock?: () => Date;
  /** Connection timeouts; tests shorten them to see outages quickly. */
  readonly mongo?: MongoOptions;
}

export async function startCatalog(config: CatalogConfig, logger: Logger, options: StartOptions = {}): Promise<CatalogApp> {
  const clock = options.clock ?? (() => new Date());
  const mongo = await connectMongo(config.mongo.url, config.mongo.db, logger, options.mongo);
  let server: ShopServer | undefined;
  try {
    const store = new MongoCatalogStore(mongo);
    await store.prepare();
    if (config.seedDemoCatalog) {
      const seeded = await store.seed(demoCatalogSeed(), clock());
      if (seeded.inserted > 0) logger.info({ inserted: seeded.inserted }, "demo catalog seeded");
      if (seeded.conflicts.length > 0) {
        logger.warn({ skus: seeded.conflicts }, "demo products skipped: their id or sku belongs to another product");
      }
    }
    const pageTokens = new PageTokens(tokenKey(config.pageTokenSecret, logger));
    server = createShopServer({
      name: "catalog",
      logger,
      host: config.server.host,
      port: config.server.port,
      services: [register(CatalogService, createCatalogService({ store, pageTokens, clock }))],
      probes: [store.probe],
      probeIntervalMs: config.probeIntervalMs,
      shutdownGraceMs: config.server.shutdownGraceMs,
    });
    await server.start();
  } catch (err) {
    await server?.stop();
    await mongo.close();
    throw err;
  }
  const running = server;
  return {
    server: running,
    async stop() {
      try {
        await running.stop();
      } finally {
        await mongo.close();
      }
    },
  };
}
