// `@shopmesh/stores/redis`: a Redis connection, and the store guard for its driver.
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  createClient,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
} from "@redis/client";
import type { Logger, Probe } from "@shopmesh/kit";
import { guarding } from "./guard.js";
import { redact } from "./redact.js";

export type { StoreGuard, StoreGuardOptions } from "./guard.js";

/** True for errors that mean "the store cannot be reached", as opposed to a bad command. */
export function isStoreUnreachable(err: unknown): boolean {
  return (
    err instanceof ClientOfflineError ||
    err instanceof ClientClosedError ||
    err instanceof SocketClosedUnexpectedlyError ||
    err instanceof ConnectionTimeoutError ||
    err instanceof SocketTimeoutError
  );
}

export const { storeError, storeGuard } = guarding(isStoreUnreachable);

function newClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
  });
}

export type RedisClient = ReturnType<typeof newClient>;

export interface RedisStore {
  readonly client: RedisClient;
  /** PINGs the server; for the kit's health checks. */
  readonly probe: Probe;
  /**
   * A second connection for blocking commands (XREAD BLOCK, BLPOP), which would stall every
   * other command on a shared one. Callers close what they open.
   */
  duplicate(): Promise<RedisClient>;
  close(): Promise<void>;
}

/**
 * Connects to Redis. While Redis is down, commands fail at once (no offline queue that would
 * replay them later, possibly twice) and the client keeps reconnecting in the background.
 */
export async function connectRedis(url: string, logger: Logger, options: { startTimeoutMs?: number } = {}): Promise<RedisStore> {
  const client = newClient(url);
  let lastError = "";
  client.on("error", (err: Error) => {
    // Reconnect attempts repeat the same error; log each new one once.
    if (err.message !== lastError) logger.warn({ err: err.message }, "redis connection error");
    lastError = err.message;
  });
  client.on("ready", () => {
    if (lastError !== "") logger.info("redis connection restored");
    lastError = "";
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  const connecting = client.connect();
  const timer = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`Redis at ${redact(url)} did not answer within ${options.startTimeoutMs ?? 15_000} ms`)),
      Math.max(0, deadline - Date.now()),
    ).unref(),
  );
  try {
    await Promise.race([connecting, timer]);
  } catch (err) {
    client.destroy();
    throw err;
  }
  return {
    client,
    probe: { name: "redis", check: async () => void (await client.ping()) },
    duplicate: async () => {
      const copy = client.duplicate();
      copy.on("error", () => undefined);
      await copy.connect();
      return copy;
    },
    close: async () => {
      if (client.isOpen) client.destroy();
    },
  };
}
