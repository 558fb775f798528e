// What the catalog service is made of: its MongoDB store (seeded with the demo catalog unless
// told not to) with its listings cached, and page tokens. main.ts and the tests start it the same way.
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { register, startService, tokenKey, type Clock, type Logger, type RunningService } from "@shopmesh/kit";
import { connectMongo, type MongoOptions } from "@shopmesh/stores/mongo";
import type { CatalogConfig } from "./config.js";
import { demoCatalogSeed } from "./demo-catalog.js";
import { createPageTokens } from "./page-token.js";
import { createCatalogService } from "./service.js";
import { createCachedCatalogStore } from "./store/cached-catalog-store.js";
import { createMongoCatalogStore } from "./store/mongo-catalog-store.js";

export interface CatalogOptions {
  readonly clock?: Clock;
  /** Connection timeouts; tests shorten them to see outages quickly. */
  readonly mongo?: MongoOptions;
}

export function startCatalog(config: CatalogConfig, logger: Logger, options: CatalogOptions = {}): Promise<RunningService> {
  const clock = options.clock ?? Date.now;
  return startService("catalog", config.server, logger, async (resources) => {
    const mongo = resources.own("mongodb", await connectMongo(config.mongo.url, config.mongo.db, logger, options.mongo));
    const store = createCachedCatalogStore(await createMongoCatalogStore(mongo, logger), config.listingCache);
    if (config.seedDemoCatalog) {
      const seeded = await store.seed(demoCatalogSeed(), new Date(clock()));
      if (seeded.inserted > 0) logger.info({ inserted: seeded.inserted }, "demo catalog seeded");
      if (seeded.conflicts.length > 0) {
        logger.warn({ skus: seeded.conflicts }, "demo products skipped: their id or sku belongs to another product");
      }
    }
    const pageTokens = createPageTokens(tokenKey(config.pageTokenSecret, logger));
    return {
      services: [register(CatalogService, createCatalogService({ store, pageTokens, clock }))],
      probes: [store.probe],
    };
  });
}
