// What the inventory service is made of: its Redis store and the sweeper that expires
// reservations. main.ts and the tests start it the same way.
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { register, startService, type Clock, type Logger, type RunningService } from "@shopmesh/kit";
import { connectRedis } from "@shopmesh/stores";
import type { InventoryConfig } from "./config.js";
import { startReservationSweeper } from "./reservation-sweeper.js";
import { createInventoryService } from "./service.js";
import { createRedisInventoryStore } from "./store/redis-inventory-store.js";

export interface InventoryOptions {
  readonly clock?: Clock;
}

export function startInventory(config: InventoryConfig, logger: Logger, options: InventoryOptions = {}): Promise<RunningService> {
  const clock = options.clock ?? Date.now;
  return startService("inventory", config.server, logger, async (resources) => {
    const store = createRedisInventoryStore(resources.own("redis", await connectRedis(config.redis.url, logger)));
    return {
      services: [register(InventoryService, createInventoryService({ store, clock, defaultTtlMs: config.reservationDefaultTtlMs }))],
      probes: [store.probe],
      background: [() => startReservationSweeper({ store, intervalMs: config.reservationSweepIntervalMs, logger, clock })],
    };
  });
}
