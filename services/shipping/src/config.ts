// The shipping service's configuration: the only module that reads the environment. It needs only
// what every service with a MongoDB database of its own needs.
import { mongoServiceConfig, mongoServiceEnvShape, parseEnv, type Env, type MongoServiceConfig } from "@shopmesh/kit";

export const envShape = mongoServiceEnvShape("shipping");

export type ShippingConfig = MongoServiceConfig;

/** The validated config; throws ConfigError naming every bad variable. */
export const loadConfig = (environment: Env): ShippingConfig => mongoServiceConfig(parseEnv(envShape, environment));
