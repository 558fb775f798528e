// Builds the payment service from its config: MongoDB, the card processor, the gRPC server.
import { PaymentService } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { createShopServer, register, type Logger, type ShopServer } from "@shopmesh/kit";
import { connectMongo } from "@shopmesh/stores";
import { createTestCardProcessor, type CardProcessor } from "./card-processor.js";
import type { PaymentConfig } from "./config.js";
import { createPaymentService } from "./service.js";
import { createMongoPaymentStore } from "./store/mongo-payment-store.js";

export interface PaymentApp {
  readonly server: ShopServer;
  /** Stops serving, then closes MongoDB. */
  stop(): Promise<void>;
}

export interface PaymentOptions {
  /** Epoch milliseconds; Date.now unless a test needs another "now" (card expiry). */
  readonly clock?: () => number;
  /** The simulated test-card processor unless told otherwise. */
  readonly processor?: CardProcessor;
}

export async function startPayment(config: PaymentConfig, logger: Logger, options: PaymentOptions = {}): Promise<PaymentApp> {
  const mongo = await connectMongo(config.mongo.url, config.mongo.db, logger);
  let server: ShopServer;
  try {
    const store = createMongoPaymentStore(mongo);
    await store.prepare();
    const service = createPaymentService({
      store,
      processor: options.processor ?? createTestCardProcessor(),
      clock: options.clock ?? Date.now,
    });
    server = createShopServer({
      name: "payment",
      logger,
      host: config.server.host,
      port: config.server.port,
      services: [register(PaymentService, service)],
      probes: [store.probe],
      probeIntervalMs: config.probeIntervalMs,
      shutdownGraceMs: config.server.shutdownGraceMs,
    });
    await server.start();
  } catch (err) {
    await mongo.close();
    throw err;
  }
  return {
    server,
    async stop() {
      await server.stop();
      await mongo.close();
    },
  };
}
