// Builds the notification service from its config: Redis, page token keys, the gRPC server.
import { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { createShopServer, register, tokenKey, type Logger, type ShopServer } from "@shopmesh/kit";
import { connectRedis } from "@shopmesh/stores";
import type { NotificationConfig } from "./config.js";
import { createPageTokens } from "./page-token.js";
import { createNotificationService } from "./service.js";
import { createRedisNotificationStore } from "./store/redis-notification-store.js";
import { isStreamId } from "./store/stream-id.js";

export interface NotificationApp {
  readonly server: ShopServer;
  /** Stops serving (open Subscribe streams end with UNAVAILABLE), then closes Redis. */
  stop(): Promise<void>;
}

export async function startNotification(config: NotificationConfig, logger: Logger): Promise<NotificationApp> {
  const redis = await connectRedis(config.redisUrl, logger);
  const store = createRedisNotificationStore(redis, {
    historyLimit: config.historyLimit,
    blockMs: config.subscribeBlockMs,
  });
  const pageTokenKey = tokenKey(config.pageTokenSecret, logger);
  const server = createShopServer({
    name: "notification",
    logger,
    host: config.server.host,
    port: config.server.port,
    services: [
      register(NotificationService, createNotificationService({ store, pageTokens: createPageTokens(pageTokenKey, isStreamId) })),
    ],
    probes: [store.probe],
    probeIntervalMs: config.probeIntervalMs,
    shutdownGraceMs: config.server.shutdownGraceMs,
  });
  try {
    await server.start();
  } catch (err) {
    await redis.close();
    throw err;
  }
  return {
    server,
    async stop() {
      await server.stop();
      await redis.close();
    },
  };
}
