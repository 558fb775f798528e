// The inventory service's configuration: the only module that reads the environment.
import { brokerConfig, brokerEnvShape, type BrokerConfig } from "@shopmesh/events";
import { env, parseEnv, redisServiceConfig, redisServiceEnvShape, type Env, type RedisServiceConfig } from "@shopmesh/kit";

/** The contract's bounds on a reservation's ttl (ReserveStockRequest.ttl): 1 s..1 h inclusive. */
export const minTtlMs = 1_000;
export const maxTtlMs = 3_600_000;

export const envShape = {
  ...redisServiceEnvShape,
  RESERVATION_DEFAULT_TTL_MS: env
    .milliseconds(15 * 60_000, maxTtlMs)
    .refine((ms) => ms >= minTtlMs, { error: `must be a whole number of milliseconds ${minTtlMs}..${maxTtlMs}` })
    .describe("how long a reservation is held when ReserveStock sets no ttl (1 s..1 h)"),
  RESERVATION_SWEEP_INTERVAL_MS: env
    .milliseconds(1_000, 60_000)
    .describe("how often the sweeper releases HELD reservations past their expiry"),
  ...brokerEnvShape,
} as const;

export interface InventoryConfig extends RedisServiceConfig {
  readonly reservationDefaultTtlMs: number;
  readonly reservationSweepIntervalMs: number;
  /** Undefined: no OrderConfirmed events are consumed, so nothing counts as sold. */
  readonly broker: BrokerConfig | undefined;
}

/** The validated config; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Env): InventoryConfig {
  const parsed = parseEnv(envShape, environment);
  return {
    ...redisServiceConfig(parsed),
    reservationDefaultTtlMs: parsed.RESERVATION_DEFAULT_TTL_MS,
    reservationSweepIntervalMs: parsed.RESERVATION_SWEEP_INTERVAL_MS,
    broker: brokerConfig(parsed),
  };
}
