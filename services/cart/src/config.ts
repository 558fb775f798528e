// The cart service's configuration: the only place that reads the environment.
import { env, parseEnv, redisServiceConfig, redisServiceEnvShape, type Env, type RedisServiceConfig } from "@shopmesh/kit";

const sevenDaysSeconds = 7 * 24 * 60 * 60;
const oneYearSeconds = 365 * 24 * 60 * 60;

export const envShape = {
  ...redisServiceEnvShape,
  CATALOG_ADDR: env.address().describe("`host:port` of CatalogService (in the mesh: this service's sidecar egress)"),
  CATALOG_TIMEOUT_MS: env.milliseconds(2_000, 60_000).describe("deadline of each catalog call"),
  CART_TTL_SECONDS: env
    .positiveInt(sevenDaysSeconds, oneYearSeconds)
    .describe("a cart nobody writes to for this long is deleted (1..31536000 seconds; 7 days by default)"),
} as const;

export interface CartConfig extends RedisServiceConfig {
  readonly catalog: { readonly address: string; readonly timeoutMs: number };
  readonly cartTtlSeconds: number;
}

export function loadConfig(environment: Env): CartConfig {
  const parsed = parseEnv(envShape, environment);
  return {
    ...redisServiceConfig(parsed),
    catalog: { address: parsed.CATALOG_ADDR, timeoutMs: parsed.CATALOG_TIMEOUT_MS },
    cartTtlSeconds: parsed.CART_TTL_SECONDS,
  };
}
