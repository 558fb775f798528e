// What the shipping service is made of: its MongoDB store. main.ts and the tests start it the
// same way.
import { ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { register, startService, type Logger, type RunningService } from "@shopmesh/kit";
import { connectMongo, type MongoOptions } from "@shopmesh/stores/mongo";
import type { ShippingConfig } from "./config.js";
import { createShippingService, type ShippingServiceDeps } from "./service.js";
import { createMongoShipmentStore } from "./store/mongo-shipment-store.js";

export interface ShippingOptions {
  /** Driver timeouts; tests shorten them so an outage answers UNAVAILABLE quickly. */
  readonly mongo?: MongoOptions;
  /** Clock and tracking ids; the defaults unless a test needs its own. */
  readonly service?: Pick<ShippingServiceDeps, "clock" | "newTrackingId">;
}

export function startShipping(config: ShippingConfig, logger: Logger, options: ShippingOptions = {}): Promise<RunningService> {
  return startService("shipping", config.server, logger, async (resources) => {
    const mongo = resources.own("mongodb", await connectMongo(config.mongo.url, config.mongo.db, logger, options.mongo));
    const store = await createMongoShipmentStore(mongo);
    return {
      services: [register(ShippingService, createShippingService({ ...options.service, store, logger }))],
      probes: [store.probe],
    };
  });
}
