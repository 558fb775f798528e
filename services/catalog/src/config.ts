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
} as const;

export interface CatalogConfig extends MongoServiceConfig {
  readonly seedDemoCatalog: boolean;
  /** Undefined: a random key per process, so tokens are not accepted by another replica. */
  readonly pageTokenSecret: string | undefined;
}

export function loadConfig(environment: Env): CatalogConfig {
  const parsed = parseEnv(envShape, environment);
  return { ...mongoServiceConfig(parsed), seedDemoCatalog: parsed.SEED_DEMO_CATALOG, pageTokenSecret: parsed.PAGE_TOKEN_SECRET };
}
