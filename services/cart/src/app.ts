// What the cart service is made of: its Redis store and a catalog client. main.ts and the
// tests start it the same way; the kit owns start-failure cleanup and the shutdown order.
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { createGrpcClient, register, startService, type Clock, type Logger, type RunningService } from "@shopmesh/kit";
import { connectRedis } from "@shopmesh/stores/redis";
import { createProductLookup } from "./catalog.js";
import type { CartConfig } from "./config.js";
import { createCartService } from "./service.js";
import { createRedisCartStore } from "./store/redis-cart-store.js";

export interface CartOptions {
  /** The wall clock unless a test fixes time. */
  readonly clock?: Clock;
}

export function startCart(config: CartConfig, logger: Logger, options: CartOptions = {}): Promise<RunningService> {
  return startService("cart", config.server, logger, async (resources) => {
    const redis = resources.own("redis", await connectRedis(config.redis.url, logger));
    const store = createRedisCartStore(redis, { ttlSeconds: config.cartTtlSeconds, clock: options.clock ?? Date.now });
    const catalogClient = resources.own(
      "catalog client",
      createGrpcClient(CatalogService, config.catalog.address, { defaultTimeoutMs: config.catalog.timeoutMs }),
    );
    return {
      services: [register(CartService, createCartService({ store, catalog: createProductLookup(catalogClient) }))],
      probes: [store.probe],
    };
  });
}
