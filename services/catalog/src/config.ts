// The catalog's configuration, read once from the environment. A bad value stops the process
// with one line naming the variable.
import {
  env,
  mongoServiceConfig,
  mongoServiceEnvShape,
  pageTokenEnvShape,
  parseEnv,
  type Env,
  type MongoServiceConfig,
} from "@shopmesh/kit";

export const envShape = {
  ...mongoServiceEnvShape("catalog"),
  SEED_DEMO_CATALOG: env.boolean(true).describe("insert the demo products that are missing at start (never overwrites or duplicates)"),
  ...pageTokenEnvShape,
  LISTING_CACHE_MAX_AGE_MS: env
    .milliseconds(5_000, 3_600_000, 0)
    .describe(
      "how long a replica may serve a cached ListProducts or SearchProducts page after reading it when the change it missed " +
        "bypassed UpsertProduct (made in the database directly, or by an upsert that failed half-way); a change through " +
        "UpsertProduct, on any replica, shows at once (every call checks the catalog's version). 0: no cache",
    ),
  LISTING_CACHE_MAX_BYTES: env
    .positiveInt(16 * 1024 * 1024, 1024 * 1024 * 1024)
    .describe("memory the cached pages may take (estimated); the least recently used go first"),
} as const;

export interface CatalogConfig extends MongoServiceConfig {
  readonly seedDemoCatalog: boolean;
  /** Undefined: a random key per process, so tokens are not accepted by another replica. */
  readonly pageTokenSecret: string | undefined;
  readonly listingCache: { readonly maxAgeMs: number; readonly maxBytes: number };
}

export function loadConfig(environment: Env): CatalogConfig {
  const parsed = parseEnv(envShape, environment);
  return {
    ...mongoServiceConfig(parsed),
    seedDemoCatalog: parsed.SEED_DEMO_CATALOG,
    pageTokenSecret: parsed.PAGE_TOKEN_SECRET,
    listingCache: { maxAgeMs: parsed.LISTING_CACHE_MAX_AGE_MS, maxBytes: parsed.LISTING_CACHE_MAX_BYTES },
  };
}
