// The shipping service's configuration: the only module that reads the environment.
import { mongoConfig, mongoEnvShape, parseEnv, serverConfig, serverEnvShape, type Env, type MongoConfig, type ServerConfig } from "@shopmesh/kit";

export const envShape = {
  ...serverEnvShape,
  ...mongoEnvShape("shipping"),
} as const;

export interface ShippingConfig {
  readonly server: ServerConfig;
  readonly mongo: MongoConfig;
}

/** The validated config; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Env): ShippingConfig {
  const parsed = parseEnv(envShape, environment);
  return { server: serverConfig(parsed), mongo: mongoConfig(parsed) };
}
