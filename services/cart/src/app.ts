// Builds and starts the cart server; main.ts and the tests both use startCart.
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { createGrpcClient, createShopServer, register, type Logger, type ShopServer } from "@shopmesh/kit";
import { connectRedis } from "@shopmesh/stores";
import { createProductLookup } from "./catalog.js";
import type { CartConfig } from "./config.js";
import { createCartService } from "./service.js";
import { createRedisCartStore } from "./store/redis-cart-store.js";

export interface CartApp {
  readonly server: ShopServer;
  stop(): Promise<void>;
}

export interface CartAppOptions {
  /** Epoch milliseconds; the wall clock unless a test fixes time. */
  readonly now?: () => number;
}

export async function startCart(config: CartConfig, logger: Logger, options: CartAppOptions = {}): Promise<CartApp> {
  const redis = await connectRedis(config.redisUrl, logger);
  const store = createRedisCartStore(redis, { ttlSeconds: config.cartTtlSeconds, now: options.now ?? Date.now });
  const catalogClient = createGrpcClient(CatalogService, config.catalog.address, { defaultTimeoutMs: config.catalog.timeoutMs });
  const server = createShopServer({
    name: "cart",
    logger,
    host: config.server.host,
    port: config.server.port,
    services: [register(CartService, createCartService({ store, catalog: createProductLookup(catalogClient) }))],
    probes: [store.probe],
    probeIntervalMs: config.probeIntervalMs,
    shutdownGraceMs: config.server.shutdownGraceMs,
  });
  try {
    await server.start();
  } catch (err) {
    catalogClient.close();
    await store.close();
    throw err;
  }
  return {
    server,
    async stop() {
      await server.stop();
      catalogClient.close();
      await store.close();
    },
  };
}
