// Builds the shipping service from its config: MongoDB, its indexes, the gRPC server.
import { ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { createShopServer, register, type Logger, type ShopServer } from "@shopmesh/kit";
import { connectMongo, type MongoOptions } from "@shopmesh/stores";
import type { ShippingConfig } from "./config.js";
import { createShippingService, type ShippingServiceDeps } from "./service.js";
import { createMongoShipmentStore } from "./store/mongo-shipment-store.js";

export interface ShippingApp {
  readonly server: ShopServer;
  /** Stops serving (draining in-flight calls), then closes MongoDB. */
  stop(): Promise<void>;
}

export interface ShippingOptions {
  /** Driver timeouts; tests shorten them so an outage answers UNAVAILABLE quickly. */
  readonly mongo?: MongoOptions;
  /** Clock and id generators; the defaults unless a test needs its own. */
  readonly service?: Pick<ShippingServiceDeps, "clock" | "newShipmentId" | "newTrackingId">;
}

export async function startShipping(config: ShippingConfig, logger: Logger, options: ShippingOptions = {}): Promise<ShippingApp> {
  const mongo = await connectMongo(config.mongo.url, config.mongo.db, logger, options.mongo);
  try {
    const store = createMongoShipmentStore(mongo);
    await store.ensureIndexes();
    const server = createShopServer({
      name: "shipping",
      logger,
      host: config.server.host,
      port: config.server.port,
      services: [register(ShippingService, createShippingService({ ...options.service, store, logger }))],
      probes: [store.probe],
      probeIntervalMs: config.probeIntervalMs,
      shutdownGraceMs: config.server.shutdownGraceMs,
    });
    await server.start();
    return {
      server,
      async stop() {
        await server.stop();
        await mongo.close();
      },
    };
  } catch (err) {
    await mongo.close();
    throw err;
  }
}
