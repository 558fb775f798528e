// The user service's configuration: the only module that reads the environment.
import { ConfigError, env, parseEnv, serverConfig, serverEnvShape, type ServerConfig } from "@shopmesh/kit";

type Env = Readonly<Record<string, string | undefined>>;

const maxTokenTtlSeconds = 7 * 24 * 60 * 60;

const userEnvShape = {
  ...serverEnvShape,
  /** The MongoDB server holding the user store. */
  MONGO_URL: env.url(["mongodb", "mongodb+srv"]),
  /** How long an access token stays valid after Login. */
  TOKEN_TTL_SECONDS: env.positiveInt(3_600, maxTokenTtlSeconds),
  /** How often health re-checks MongoDB. */
  PROBE_INTERVAL_MS: env.milliseconds(1_000, 60_000),
} as const;

export interface JwtConfig {
  /** PEM file (PKCS#8, EC P-256) with the key Login signs access tokens with. */
  readonly privateKeyFile: string;
  /** The `iss` claim; the gateway accepts only this issuer. */
  readonly issuer: string;
  /** The `aud` claim; the gateway accepts only this audience. */
  readonly audience: string;
  readonly ttlSeconds: number;
}

export interface UserConfig {
  readonly server: ServerConfig;
  readonly mongoUrl: string;
  readonly mongoDb: string;
  readonly jwt: JwtConfig;
  readonly probeIntervalMs: number;
}

// The kit's env builders have no plain-string one, so the string variables are checked here,
// with messages in the same form as parseEnv's.
interface StringVariable {
  readonly name: string;
  readonly default?: string;
  readonly pattern: RegExp;
  readonly expects: string;
}

const stringVariables = {
  mongoDb: { name: "MONGO_DB", default: "users", pattern: /^[A-Za-z0-9_-]{1,63}$/, expects: "must be a database name (letters, digits, _ or -, at most 63)" },
  privateKeyFile: { name: "JWT_PRIVATE_KEY_FILE", pattern: /^\S(.*\S)?$/, expects: "must be set to the path of the PEM file with the token signing key" },
  issuer: { name: "JWT_ISSUER", default: "shopmesh", pattern: /^\S{1,256}$/, expects: "must be a non-empty issuer name without spaces" },
  audience: { name: "JWT_AUDIENCE", default: "shopmesh", pattern: /^\S{1,256}$/, expects: "must be a non-empty audience name without spaces" },
} as const satisfies Record<string, StringVariable>;

/** The validated config; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Env): UserConfig {
  const problems: string[] = [];
  let parsed: ReturnType<typeof parseEnv<typeof userEnvShape>> | undefined;
  try {
    parsed = parseEnv(userEnvShape, environment);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(err.message.replace(/^config: /, ""));
  }
  const strings = Object.fromEntries(
    Object.entries(stringVariables).map(([key, variable]: [string, StringVariable]) => {
      const value = environment[variable.name] ?? variable.default;
      if (value === undefined) problems.push(`${variable.name} ${variable.expects} (not set)`);
      else if (!variable.pattern.test(value)) problems.push(`${variable.name} ${variable.expects} (got ${JSON.stringify(value)})`);
      return [key, value ?? ""];
    }),
  ) as Record<keyof typeof stringVariables, string>;
  if (parsed === undefined || problems.length > 0) throw new ConfigError(`config: ${problems.join("; ")}`);
  return {
    server: serverConfig(parsed),
    mongoUrl: parsed.MONGO_URL,
    mongoDb: strings.mongoDb,
    jwt: {
      privateKeyFile: strings.privateKeyFile,
      issuer: strings.issuer,
      audience: strings.audience,
      ttlSeconds: parsed.TOKEN_TTL_SECONDS,
    },
    probeIntervalMs: parsed.PROBE_INTERVAL_MS,
  };
}
