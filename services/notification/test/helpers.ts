// Shared by the integration tests: a running service, its client, a look into Redis.
import { ConnectError } from "@connectrpc/connect";
import { NotificationService, type Notification } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { createGrpcClient, createLogger, type GrpcClient, type Logger, type RunningService as App } from "@shopmesh/kit";
import { asUser } from "@shopmesh/testkit";
import { connectRedis, type RedisStore } from "@shopmesh/stores";
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

/** An open Subscribe stream, read in the background. */
export interface Subscription {
  /** What arrived so far, in order. */
  readonly received: Notification[];
  /** The stream's end: its error (CANCELED after cancel()), or undefined if it ended with OK. */
  readonly ended: Promise<ConnectError | undefined>;
  cancel(): void;
}

export function subscribe(client: GrpcClient<typeof NotificationService>, userId: string | undefined, afterId = ""): Subscription {
  const controller = new AbortController();
  const received: Notification[] = [];
  const options = { ...(userId === undefined ? {} : asUser(userId)), signal: controller.signal };
  const ended = (async () => {
    try {
      for await (const res of client.subscribe({ afterId }, options)) {
        if (res.notification !== undefined) received.push(res.notification);
      }
      return undefined;
    } catch (err) {
      if (err instanceof ConnectError) return err;
      throw err;
    }
  })();
  return { received, ended, cancel: () => controller.abort() };
}

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
