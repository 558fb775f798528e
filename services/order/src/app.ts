// Builds the order service from its config: MongoDB, downstream clients, the saga runner, the
// gRPC server and the recovery loop.
import { OrderService } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { createShopServer, register, tokenKey, type Logger, type ShopServer } from "@shopmesh/kit";
import { connectMongo } from "@shopmesh/stores";
import { createCancellation } from "./cancellation.js";
import type { OrderConfig } from "./config.js";
import { createDownstream } from "./downstream.js";
import { createPageTokens } from "./page-token.js";
import { createPlacement } from "./placement.js";
import { createSagaActions } from "./saga/actions.js";
import { createCrashHooks } from "./saga/crash-points.js";
import { startRecovery } from "./saga/recovery.js";
import { createSagaRunner } from "./saga/runner.js";
import { createOrderService } from "./service.js";
import { createMongoOrderStore } from "./store/mongo-order-store.js";

export interface OrderApp {
  readonly server: ShopServer;
  /** Stops serving and the recovery loop, waits for running sagas, closes clients and MongoDB. */
  stop(): Promise<void>;
}

export interface OrderOptions {
  /** Epoch milliseconds; Date.now unless a test needs another clock. */
  readonly clock?: () => number;
  /** What a crash point does; SIGKILL of this process unless a test says otherwise. */
  readonly kill?: () => void;
}

export async function startOrder(config: OrderConfig, logger: Logger, options: OrderOptions = {}): Promise<OrderApp> {
  const clock = options.clock ?? Date.now;
  const kill = options.kill ?? (() => process.kill(process.pid, "SIGKILL"));
  const mongo = await connectMongo(config.mongo.url, config.mongo.db, logger);
  const downstream = createDownstream(config.downstream);
  try {
    const store = createMongoOrderStore(mongo);
    await store.init();
    const crash = createCrashHooks(config.crash, kill, logger);
    const actions = createSagaActions({ downstream, reservationTtlMs: config.saga.reservationTtlMs, logger });
    const runner = createSagaRunner({
      store,
      actions,
      logger,
      clock,
      leaseMs: config.saga.leaseMs,
      retryBaseMs: config.saga.retryBaseMs,
      retryMaxMs: config.saga.retryMaxMs,
      crash,
    });
    const common = { store, runner, logger, clock, leaseMs: config.saga.leaseMs, waitMs: config.saga.waitMs };
    const placement = createPlacement({ ...common, downstream, crash });
    const cancellation = createCancellation(common);
    const pageTokens = createPageTokens(tokenKey(config.pageTokenSecret, logger));
    const server = createShopServer({
      name: "order",
      logger,
      host: config.server.host,
      port: config.server.port,
      services: [register(OrderService, createOrderService({ store, placement, cancellation, pageTokens, clock }))],
      probes: [store.probe],
      probeIntervalMs: config.probeIntervalMs,
      shutdownGraceMs: config.server.shutdownGraceMs,
    });
    await server.start();
    const recovery = startRecovery({ store, runner, logger, clock, intervalMs: config.saga.recoveryIntervalMs, leaseMs: config.saga.leaseMs });
    return {
      server,
      async stop() {
        await server.stop();
        await recovery.stop();
        // Sagas of calls cut off by the shutdown still finish their current step; their calls
        // have deadlines, so this ends.
        await runner.idle();
        await actions.idle();
        downstream.close();
        await mongo.close();
      },
    };
  } catch (err) {
    downstream.close();
    await mongo.close();
    throw err;
  }
}
