// Builds the inventory service from its config: Redis, the gRPC server, the expiry sweeper.
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { createShopServer, register, type Logger, type ShopServer } from "@shopmesh/kit";
import { connectRedis } from "@shopmesh/stores";
import type { InventoryConfig } from "./config.js";
import { startReservationSweeper } from "./reservation-sweeper.js";
import { createInventoryService } from "./service.js";
import { createRedisInventoryStore } from "./store/redis-inventory-store.js";

export interface InventoryApp {
  readonly server: ShopServer;
  /** Stops serving, stops the sweeper, closes Redis. */
  stop(): Promise<void>;
}

export interface InventoryOptions {
  /** Epoch milliseconds; Date.now unless a test needs another clock. */
  readonly clock?: () => number;
}

export async function startInventory(config: InventoryConfig, logger: Logger, options: InventoryOptions = {}): Promise<InventoryApp> {
  const clock = options.clock ?? Date.now;
  const redis = await connectRedis(config.redisUrl, logger);
  const store = createRedisInventoryStore(redis);
  const server = createShopServer({
    name: "inventory",
    logger,
    host: config.server.host,
    port: config.server.port,
    services: [register(InventoryService, createInventoryService({ store, clock, defaultTtlMs: config.reservationDefaultTtlMs }))],
    probes: [store.probe],
    probeIntervalMs: config.probeIntervalMs,
    shutdownGraceMs: config.server.shutdownGraceMs,
  });
  try {
    await server.start();
  } catch (err) {
    await redis.close();
    throw err;
  }
  const sweeper = startReservationSweeper({ store, intervalMs: config.reservationSweepIntervalMs, logger, clock });
  return {
    server,
    async stop() {
      await server.stop();
      await sweeper.stop();
      await redis.close();
    },
  };
}
