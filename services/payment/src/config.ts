// The payment service's configuration: the only module that reads the environment.
import { env, parseEnv, serverConfig, serverEnvShape, type ServerConfig } from "@shopmesh/kit";
import { z } from "zod";

export interface PaymentConfig {
  readonly server: ServerConfig;
  readonly mongo: { readonly url: string; readonly db: string };
  /** How often the store is pinged for grpc.health.v1 (NOT_SERVING while it does not answer). */
  readonly probeIntervalMs: number;
}

const paymentEnvShape = {
  ...serverEnvShape,
  /** The MongoDB (or FerretDB) server holding the payments database. */
  MONGO_URL: env.url(["mongodb", "mongodb+srv"]),
  /** The database the service owns. */
  MONGO_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: "must be a database name of 1..63 letters, digits, '_' or '-'" })
    .default("payments"),
  PROBE_INTERVAL_MS: env.milliseconds(1_000, 60_000),
} as const;

/** The validated config; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Readonly<Record<string, string | undefined>>): PaymentConfig {
  const parsed = parseEnv(paymentEnvShape, environment);
  return {
    server: serverConfig(parsed),
    mongo: { url: parsed.MONGO_URL, db: parsed.MONGO_DB },
    probeIntervalMs: parsed.PROBE_INTERVAL_MS,
  };
}
