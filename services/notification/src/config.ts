// The notification service's configuration: the only module that reads the environment.
import { ConfigError, env, parseEnv, serverConfig, serverEnvShape, type ServerConfig } from "@shopmesh/kit";

type Env = Readonly<Record<string, string | undefined>>;

/** The contract's history size: each user's newest 1000 notifications are kept. */
export const contractHistoryLimit = 1000;
const minPageTokenSecretLength = 32;

const notificationEnvShape = {
  ...serverEnvShape,
  /** The notification service's own Redis. */
  REDIS_URL: env.url(["redis", "rediss"]),
  /** Notifications kept per user (the contract says 1000; tests use fewer). */
  NOTIFICATION_HISTORY_LIMIT: env.positiveInt(contractHistoryLimit, 100_000),
  /** How long a subscriber's XREAD blocks before it checks for cancellation again. */
  SUBSCRIBE_BLOCK_MS: env.milliseconds(1_000, 10_000),
  /** How often health re-checks Redis. */
  PROBE_INTERVAL_MS: env.milliseconds(1_000, 60_000),
} as const;

export interface NotificationConfig {
  readonly server: ServerConfig;
  readonly redisUrl: string;
  readonly historyLimit: number;
  readonly subscribeBlockMs: number;
  readonly probeIntervalMs: number;
  /**
   * Signs ListNotifications page tokens. Undefined: a random key per process, so tokens do not
   * survive a restart and are not accepted by another replica.
   */
  readonly pageTokenSecret: string | undefined;
}

/** The validated config; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Env): NotificationConfig {
  const parsed = parseEnv(notificationEnvShape, environment);
  const secret = environment["PAGE_TOKEN_SECRET"];
  // Never echo a secret, not even a bad one.
  if (secret !== undefined && secret !== "" && secret.length < minPageTokenSecretLength) {
    throw new ConfigError(
      `config: PAGE_TOKEN_SECRET must be at least ${minPageTokenSecretLength} characters (got ${secret.length})`,
    );
  }
  return {
    server: serverConfig(parsed),
    redisUrl: parsed.REDIS_URL,
    historyLimit: parsed.NOTIFICATION_HISTORY_LIMIT,
    subscribeBlockMs: parsed.SUBSCRIBE_BLOCK_MS,
    probeIntervalMs: parsed.PROBE_INTERVAL_MS,
    pageTokenSecret: secret === undefined || secret === "" ? undefined : secret,
  };
}
