// The notification service's configuration: the only module that reads the environment.
import { brokerConfig, brokerEnvShape, type BrokerConfig } from "@shopmesh/events";
import {
  env,
  pageTokenEnvShape,
  parseEnv,
  redisServiceConfig,
  redisServiceEnvShape,
  type Env,
  type RedisServiceConfig,
} from "@shopmesh/kit";

/** The contract's history size: each user's newest 1000 notifications are kept. */
export const contractHistoryLimit = 1000;

export const envShape = {
  ...redisServiceEnvShape,
  NOTIFICATION_HISTORY_LIMIT: env
    .positiveInt(contractHistoryLimit, 100_000)
    .describe("notifications kept per user (the contract says 1000; tests use fewer)"),
  SUBSCRIBE_BLOCK_MS: env
    .milliseconds(1_000, 10_000)
    .describe("how long a subscriber's XREAD blocks before it checks for cancellation again"),
  ...pageTokenEnvShape,
  ...brokerEnvShape,
} as const;

export interface NotificationConfig extends RedisServiceConfig {
  readonly historyLimit: number;
  readonly subscribeBlockMs: number;
  /** Undefined: a random key per process, so tokens are not accepted by another replica. */
  readonly pageTokenSecret: string | undefined;
  /** Undefined: no order events are consumed (only SendNotification makes notifications). */
  readonly broker: BrokerConfig | undefined;
}

/** The validated config; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Env): NotificationConfig {
  const parsed = parseEnv(envShape, environment);
  return {
    ...redisServiceConfig(parsed),
    historyLimit: parsed.NOTIFICATION_HISTORY_LIMIT,
    subscribeBlockMs: parsed.SUBSCRIBE_BLOCK_MS,
    pageTokenSecret: parsed.PAGE_TOKEN_SECRET,
    broker: brokerConfig(parsed),
  };
}
