// What the payment service is made of: its MongoDB store and the card processor. main.ts and
// the tests start it the same way.
import { PaymentService } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { register, startService, type Clock, type Logger, type RunningService } from "@shopmesh/kit";
import { connectMongo } from "@shopmesh/stores/mongo";
import { createTestCardProcessor, type CardProcessor } from "./card-processor.js";
import type { PaymentConfig } from "./config.js";
import { createPaymentService } from "./service.js";
import { createMongoPaymentStore } from "./store/mongo-payment-store.js";

export interface PaymentOptions {
  /** The wall clock unless a test needs another "now" (card expiry). */
  readonly clock?: Clock;
  /** The simulated test-card processor unless told otherwise. */
  readonly processor?: CardProcessor;
}

export function startPayment(config: PaymentConfig, logger: Logger, options: PaymentOptions = {}): Promise<RunningService> {
  return startService("payment", config.server, logger, async (resources) => {
    const store = await createMongoPaymentStore(resources.own("mongodb", await connectMongo(config.mongo.url, config.mongo.db, logger)));
    const processor = options.processor ?? createTestCardProcessor();
    return {
      services: [register(PaymentService, createPaymentService({ store, processor, clock: options.clock ?? Date.now }))],
      probes: [store.probe],
    };
  });
}
