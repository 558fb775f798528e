// What the notification service is made of: its Redis streams and page tokens. main.ts and the
// tests start it the same way; on stop, open Subscribe streams end with UNAVAILABLE.
import { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { register, startService, tokenKey, type Logger, type RunningService } from "@shopmesh/kit";
import { connectRedis } from "@shopmesh/stores";
import type { NotificationConfig } from "./config.js";
import { createPageTokens } from "./page-token.js";
import { createNotificationService } from "./service.js";
import { createRedisNotificationStore } from "./store/redis-notification-store.js";
import { isStreamId } from "./store/stream-id.js";

export function startNotification(config: NotificationConfig, logger: Logger): Promise<RunningService> {
  return startService("notification", config.server, logger, async (resources) => {
    const redis = resources.own("redis", await connectRedis(config.redis.url, logger));
    const store = createRedisNotificationStore(redis, { historyLimit: config.historyLimit, blockMs: config.subscribeBlockMs });
    const pageTokens = createPageTokens(tokenKey(config.pageTokenSecret, logger), isStreamId);
    return {
      services: [register(NotificationService, createNotificationService({ store, pageTokens }))],
      probes: [store.probe],
    };
  });
}
