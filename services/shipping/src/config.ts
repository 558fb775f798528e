// The shipping service's configuration: the only module that reads the environment. A bad value
// stops the process with one line naming the variable and what it expects.
import { env, parseEnv, serverConfig, serverEnvShape, type ServerConfig } from "@shopmesh/kit";
// zod comes with the kit (parseEnv takes zod schemas); the kit's builders have no database name.
import { z } from "zod";

export interface ShippingConfig {
  readonly server: ServerConfig;
  readonly mongo: { readonly url: string; readonly db: string };
  /** How often the store is pinged for grpc.health.v1 (NOT_SERVING while it does not answer). */
  readonly probeIntervalMs: number;
}

const shippingEnvShape = {
  ...serverEnvShape,
  /** The shipping service's own MongoDB (or FerretDB). */
  MONGO_URL: env.url(["mongodb", "mongodb+srv"]),
  /** Its database; one collection, `shipments`. */
  MONGO_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: "must be a database name of 1..63 letters, digits, '_' or '-'" })
    .default("shipping"),
  PROBE_INTERVAL_MS: env.milliseconds(1_000, 60_000),
} as const;

/** The validated config; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Readonly<Record<string, string | undefined>>): ShippingConfig {
  const parsed = parseEnv(shippingEnvShape, environment);
  return {
    server: serverConfig(parsed),
    mongo: { url: parsed.MONGO_URL, db: parsed.MONGO_DB },
    probeIntervalMs: parsed.PROBE_INTERVAL_MS,
  };
}
