// The payment service's configuration: the only module that reads the environment. It needs only
// what every service with a MongoDB database of its own needs.
import { mongoServiceConfig, mongoServiceEnvShape, parseEnv, type Env, type MongoServiceConfig } from "@shopmesh/kit";

export const envShape = mongoServiceEnvShape("payments");

export type PaymentConfig = MongoServiceConfig;

/** The validated config; throws ConfigError naming every bad variable. */
export const loadConfig = (environment: Env): PaymentConfig => mongoServiceConfig(parseEnv(envShape, environment));
