// The inventory service's configuration: the only module that reads the environment.
import { env, parseEnv, serverConfig, serverEnvShape, type ServerConfig } from "@shopmesh/kit";

/** The contract's bounds on a reservation's ttl (ReserveStockRequest.ttl): 1 s..1 h inclusive. */
export const minTtlMs = 1_000;
export const maxTtlMs = 3_600_000;

const inventoryEnvShape = {
  ...serverEnvShape,
  /** The inventory's own Redis server. */
  REDIS_URL: env.url(["redis", "rediss"]),
  /** How long a reservation is held when ReserveStock sets no ttl; within the contract's ttl bounds. */
  RESERVATION_DEFAULT_TTL_MS: env
    .milliseconds(15 * 60_000, maxTtlMs)
    .refine((ms) => ms >= minTtlMs, { error: `must be a whole number of milliseconds ${minTtlMs}..${maxTtlMs}` }),
  /** How often the sweeper looks for HELD reservations past their expire time. */
  RESERVATION_SWEEP_INTERVAL_MS: env.milliseconds(1_000, 60_000),
  /** How often health checks Redis (NOT_SERVING while it does not answer). */
  PROBE_INTERVAL_MS: env.milliseconds(1_000, 60_000),
} as const;

export interface InventoryConfig {
  readonly server: ServerConfig;
  readonly redisUrl: string;
  readonly reservationDefaultTtlMs: number;
  readonly reservationSweepIntervalMs: number;
  readonly probeIntervalMs: number;
}

/** The validated config; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Readonly<Record<string, string | undefined>>): InventoryConfig {
  const parsed = parseEnv(inventoryEnvShape, environment);
  return {
    server: serverConfig(parsed),
    redisUrl: parsed.REDIS_URL,
    reservationDefaultTtlMs: parsed.RESERVATION_DEFAULT_TTL_MS,
    reservationSweepIntervalMs: parsed.RESERVATION_SWEEP_INTERVAL_MS,
    probeIntervalMs: parsed.PROBE_INTERVAL_MS,
  };
}
