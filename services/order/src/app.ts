// What the order service is made of: its MongoDB store, clients of the services the saga calls,
// the saga runner, the recovery loop and the outbox relay that publishes the orders' events.
// main.ts and the tests start it the same way.
import { createBrokerLink, startOutboxRelay } from "@shopmesh/events";
import { OrderService } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { register, startService, tokenKey, type Clock, type Logger, type RunningService } from "@shopmesh/kit";
import { connectMongo } from "@shopmesh/stores/mongo";
import { createCancellation } from "./cancellation.js";
import type { OrderConfig } from "./config.js";
import { createDownstream } from "./downstream.js";
import type { OrderEvent } from "./order-events.js";
import { createPageTokens } from "./page-token.js";
import { createPlacement } from "./placement.js";
import { createSagaMetrics } from "./saga-metrics.js";
import { createSagaActions } from "./saga/actions.js";
import { createCrashHooks } from "./saga/crash-points.js";
import { startRecovery } from "./saga/recovery.js";
import { createSagaRunner } from "./saga/runner.js";
import { createOrderService } from "./service.js";
import { createMongoOrderStore } from "./store/mongo-order-store.js";

export interface OrderOptions {
  readonly clock?: Clock;
  /** What a crash point does; SIGKILL of this process unless a test says otherwise. */
  readonly kill?: () => void;
}

export function startOrder(config: OrderConfig, logger: Logger, options: OrderOptions = {}): Promise<RunningService> {
  const clock = options.clock ?? Date.now;
  const kill = options.kill ?? (() => process.kill(process.pid, "SIGKILL"));
  const { saga } = config;
  return startService("order", config.server, logger, async (resources) => {
    const store = await createMongoOrderStore(resources.own("mongodb", await connectMongo(config.mongo.url, config.mongo.db, logger)));
    store.listed.catch((err: unknown) =>
      logger.warn({ err }, "listing the orders stored before the per-user lists failed; the next start tries again"),
    );
    const downstream = resources.own("downstream clients", createDownstream(config.downstream));
    const crash = createCrashHooks(config.crash, kill, logger);
    const actions = createSagaActions({ downstream, reservationTtlMs: saga.reservationTtlMs });
    const metrics = createSagaMetrics(resources.metrics);
    const link = config.broker === undefined ? undefined : resources.own("broker", createBrokerLink(config.broker, "order", logger));
    if (link === undefined) logger.warn("no broker (BROKER_URL unset): order events wait in the outbox");
    // Published at once when recorded, and swept up later when that failed (or the process died first).
    const relay = startOutboxRelay<OrderEvent>({
      outbox: {
        pending: store.pendingEvents,
        // Called once the broker acknowledged the event.
        markPublished: (event) => {
          metrics.published((clock() - event.time.getTime()) / 1000);
          return store.markEventPublished(event);
        },
      },
      link,
      source: "order",
      intervalMs: config.outboxSweepMs,
      logger,
      clock,
    });
    resources.onStop("outbox relay", () => relay.stop());
    const { leaseMs, retryBaseMs, retryMaxMs } = saga;
    const runner = createSagaRunner({
      store,
      actions,
      logger,
      clock,
      leaseMs,
      retryBaseMs,
      retryMaxMs,
      crash,
      onEvent: relay.kick,
      metrics,
    });
    // Sagas of calls cut off by the shutdown still finish their current step (their calls have
    // deadlines, so this ends) before the relay, the clients and the store close.
    resources.onStop("sagas in flight", () => runner.idle());
    const common = { store, runner, logger, clock, leaseMs, waitMs: saga.waitMs };
    const placement = createPlacement({ ...common, downstream, crash, replyMs: saga.replyMs, maxInFlight: saga.maxInFlight, metrics });
    const cancellation = createCancellation(common);
    const pageTokens = createPageTokens(tokenKey(config.pageTokenSecret, logger));
    return {
      services: [register(OrderService, createOrderService({ store, placement, cancellation, pageTokens, clock }))],
      probes: [store.probe],
      background: [() => startRecovery({ store, runner, logger, clock, intervalMs: saga.recoveryIntervalMs, leaseMs })],
    };
  });
}
