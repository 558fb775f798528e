// What the notification service is made of: its Redis streams, page tokens, and the consumer of
// the order events it makes notifications of. main.ts and the tests start it the same way; on
// stop, open Subscribe streams end with UNAVAILABLE.
import { createBrokerLink, startEventConsumer, streamName } from "@shopmesh/events";
import { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { register, startService, tokenKey, type Logger, type RunningService } from "@shopmesh/kit";
import { connectRedis } from "@shopmesh/stores/redis";
import type { NotificationConfig } from "./config.js";
import { createPageTokens } from "./page-token.js";
import { orderEventHandlers } from "./order-events.js";
import { createNotificationService } from "./service.js";
import { createRedisNotificationStore } from "./store/redis-notification-store.js";
import { isStreamId } from "./store/stream-id.js";

export function startNotification(config: NotificationConfig, logger: Logger): Promise<RunningService> {
  return startService("notification", config.server, logger, async (resources) => {
    const redis = resources.own("redis", await connectRedis(config.redis.url, logger));
    const store = createRedisNotificationStore(redis, { historyLimit: config.historyLimit, blockMs: config.subscribeBlockMs });
    const pageTokens = createPageTokens(tokenKey(config.pageTokenSecret, logger), isStreamId);
    const { broker } = config;
    const link = broker === undefined ? undefined : resources.own("broker", createBrokerLink(broker, "notification", logger));
    if (link === undefined) logger.warn("no broker (BROKER_URL unset): order events make no notifications");
    const handlers = orderEventHandlers(store, logger);
    return {
      services: [register(NotificationService, createNotificationService({ store, pageTokens }))],
      probes: [store.probe],
      background:
        link === undefined
          ? []
          : [() => startEventConsumer({ link, stream: streamName("order"), durable: "notification", handlers, logger })],
    };
  });
}
