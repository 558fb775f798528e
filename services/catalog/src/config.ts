// The catalog's configuration, read once from the environment. A bad value stops the process
// with one line naming the variable.
import { env, parseEnv, serverConfig, serverEnvShape, type ServerConfig } from "@shopmesh/kit";
import { z } from "zod";

export interface CatalogConfig {
  readonly server: ServerConfig;
  readonly mongo: { readonly url: string; readonly db: string };
  /** Insert the demo products that are missing at start (never overwrites or duplicates). */
  readonly seedDemoCatalog: boolean;
  /**
   * HMAC key of page tokens. Undefined: a random key per process, so tokens do not survive a
   * restart and are not accepted by another replica.
   */
  readonly pageTokenSecret: string | undefined;
  /** How often the store is pinged for grpc.health.v1. */
  readonly probeIntervalMs: number;
}

const catalogEnvShape = {
  ...serverEnvShape,
  MONGO_URL: env.url(["mongodb", "mongodb+srv"]),
  MONGO_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: "must be a database name of 1..63 letters, digits, '_' or '-'" })
    .default("catalog"),
  SEED_DEMO_CATALOG: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("true")
    .transform((v) => v === "true"),
  PAGE_TOKEN_SECRET: z.string().min(32, { error: "must be at least 32 characters when set" }).optional(),
  PROBE_INTERVAL_MS: env.milliseconds(1_000, 60_000),
} as const;

export function loadConfig(environment: Readonly<Record<string, string | undefined>>): CatalogConfig {
  const parsed = parseEnv(catalogEnvShape, environment);
  return {
    server: serverConfig(parsed),
    mongo: { url: parsed.MONGO_URL, db: parsed.MONGO_DB },
    seedDemoCatalog: parsed.SEED_DEMO_CATALOG,
    pageTokenSecret: parsed.PAGE_TOKEN_SECRET,
    probeIntervalMs: parsed.PROBE_INTERVAL_MS,
  };
}
