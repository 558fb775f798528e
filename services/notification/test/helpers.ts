// Shared by the integration tests: a running service, its client, a look into Redis.
import { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { createGrpcClient, createLogger, type GrpcClient, type Logger, type RunningService as App } from "@shopmesh/kit";
export { subscribe, type Subscription } from "@shopmesh/testkit";
import { connectRedis, type RedisStore } from "@shopmesh/stores/redis";
import { startNotification } from "../src/app.js";
import { loadConfig } from "../src/config.js";

export const silentLogger: Logger = createLogger("notification", "silent");

export interface RunningService {
  readonly app: App;
  readonly client: GrpcClient<typeof NotificationService>;
  stop(): Promise<void>;
}

/** The service on a free port against `redisUrl`, configured as its process would be. */
export async function startService(redisUrl: string, env: Record<string, string> = {}): Promise<RunningService> {
  const config = loadConfig({
    GRPC_PORT: "0",
    REDIS_URL: redisUrl,
    LOG_LEVEL: "silent",
    SHUTDOWN_GRACE_MS: "1000",
    PROBE_INTERVAL_MS: "100",
    SUBSCRIBE_BLOCK_MS: "200",
    ...env,
  });
  const app = await startNotification(config, silentLogger);
  const client = createGrpcClient(NotificationService, app.server.address, { defaultTimeoutMs: 30_000 });
  return {
    app,
    client,
    async stop() {
      client.close();
      await app.stop();
    },
  };
}

export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A connection of the test's own, to see what the service does to Redis. */
export interface RedisObserver {
  /** Clients connected to Redis right now (CLIENT LIST), this one included. */
  connections(): Promise<number>;
  /** Clients blocked in a command such as XREAD BLOCK. */
  blockedClients(): Promise<number>;
  close(): Promise<void>;
}

export async function observeRedis(url: string): Promise<RedisObserver> {
  const redis: RedisStore = await connectRedis(url, silentLogger);
  return {
    async connections() {
      const list = String(await redis.client.sendCommand(["CLIENT", "LIST"]));
      return list.split("\n").filter((line) => line.trim() !== "").length;
    },
    async blockedClients() {
      const info = String(await redis.client.sendCommand(["INFO", "clients"]));
      return Number(/blocked_clients:(\d+)/.exec(info)?.[1] ?? "0");
    },
    close: () => redis.close(),
  };
}
