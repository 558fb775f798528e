// The cart service's configuration: the only place that reads the environment.
import { env, parseEnv, serverConfig, serverEnvShape, type ServerConfig } from "@shopmesh/kit";

type Env = Readonly<Record<string, string | undefined>>;

const sevenDaysSeconds = 7 * 24 * 60 * 60;
const oneYearSeconds = 365 * 24 * 60 * 60;

const cartEnvShape = {
  ...serverEnvShape,
  /** The cart's own Redis. */
  REDIS_URL: env.url(["redis", "rediss"]),
  /** Where CatalogService answers (in the mesh: this service's sidecar egress). */
  CATALOG_ADDR: env.address(),
  /** Deadline of each catalog call. */
  CATALOG_TIMEOUT_MS: env.milliseconds(2_000, 60_000),
  /** A cart nobody writes to for this long is deleted. */
  CART_TTL_SECONDS: env.positiveInt(sevenDaysSeconds, oneYearSeconds),
  /** How often health re-checks Redis. */
  PROBE_INTERVAL_MS: env.milliseconds(1_000, 60_000),
} as const;

export interface CartConfig {
  readonly server: ServerConfig;
  readonly redisUrl: string;
  readonly catalog: { readonly address: string; readonly timeoutMs: number };
  readonly cartTtlSeconds: number;
  readonly probeIntervalMs: number;
}

export function loadConfig(environment: Env): CartConfig {
  const parsed = parseEnv(cartEnvShape, environment);
  return {
    server: serverConfig(parsed),
    redisUrl: parsed.REDIS_URL,
    catalog: { address: parsed.CATALOG_ADDR, timeoutMs: parsed.CATALOG_TIMEOUT_MS },
    cartTtlSeconds: parsed.CART_TTL_SECONDS,
    probeIntervalMs: parsed.PROBE_INTERVAL_MS,
  };
}
