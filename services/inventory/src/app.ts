// What the inventory service is made of: its Redis store, the sweeper that expires reservations,
// and the consumer of OrderConfirmed events that counts units sold. main.ts and the tests start
// it the same way.
import { createBrokerLink, on, startEventConsumer, streamName, UnusableEvent } from "@shopmesh/events";
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { OrderConfirmedSchema } from "@shopmesh/gen/shop/order/v1/events_pb.js";
import { register, startService, type Clock, type Logger, type RunningService } from "@shopmesh/kit";
import { connectRedis } from "@shopmesh/stores/redis";
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
    const { broker } = config;
    const link = broker === undefined ? undefined : resources.own("broker", createBrokerLink(broker, "inventory", logger));
    if (link === undefined) logger.warn("no broker (BROKER_URL unset): no sales are counted");
    const handlers = {
      [OrderConfirmedSchema.typeName]: on({
        schema: OrderConfirmedSchema,
        versions: [1],
        meta: (m) => m.meta,
        handle: async (m, { meta }) => {
          if (m.order === undefined) throw new UnusableEvent("OrderConfirmed without its order");
          await store.recordSale(
            meta.eventId,
            m.order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
          );
        },
      }),
    };
    return {
      services: [register(InventoryService, createInventoryService({ store, clock, defaultTtlMs: config.reservationDefaultTtlMs }))],
      probes: [store.probe],
      background: [
        () => startReservationSweeper({ store, intervalMs: config.reservationSweepIntervalMs, logger, clock }),
        ...(link === undefined
          ? []
          : [() => startEventConsumer({ link, stream: streamName("order"), durable: "inventory", handlers, logger })]),
      ],
    };
  });
}
