// The user service's configuration: the only module that reads the environment.
import { env, mongoServiceConfig, mongoServiceEnvShape, parseEnv, type Env, type MongoServiceConfig } from "@shopmesh/kit";

const maxTokenTtlSeconds = 7 * 24 * 60 * 60;
const claim = (what: string) => env.string({ pattern: /^\S{1,256}$/, expects: `a non-empty ${what} without spaces`, default: "shopmesh" });

export const envShape = {
  ...mongoServiceEnvShape("users"),
  JWT_PRIVATE_KEY_FILE: env
    .string({ pattern: /^\S(.*\S)?$/, expects: "the path of the PEM file with the token signing key" })
    .describe("PEM file (PKCS#8, EC P-256) with the key Login signs access tokens with; `make keys` writes one"),
  JWT_ISSUER: claim("issuer name").describe("the tokens' `iss` claim; the gateway accepts only this issuer"),
  JWT_AUDIENCE: claim("audience name").describe("the tokens' `aud` claim; the gateway accepts only this audience"),
  TOKEN_TTL_SECONDS: env.positiveInt(3_600, maxTokenTtlSeconds).describe("how long an access token stays valid after Login"),
} as const;

export interface JwtConfig {
  readonly privateKeyFile: string;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

export interface UserConfig extends MongoServiceConfig {
  readonly jwt: JwtConfig;
}

/** The validated config; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Env): UserConfig {
  const parsed = parseEnv(envShape, environment);
  return {
    ...mongoServiceConfig(parsed),
    jwt: {
      privateKeyFile: parsed.JWT_PRIVATE_KEY_FILE,
      issuer: parsed.JWT_ISSUER,
      audience: parsed.JWT_AUDIENCE,
      ttlSeconds: parsed.TOKEN_TTL_SECONDS,
    },
  };
}
