// Environment configuration, validated once at start. A bad or missing value stops the process
// with one line that names the variable and says what it expects. Each variable's documentation
// lives on its schema field (`.describe`), once: the service READMEs' tables are rendered from it.
import { z } from "zod";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export type Env = Readonly<Record<string, string | undefined>>;

/** A service's variables: one zod schema per variable name, each with a description. */
export type EnvShape = z.ZodRawShape;

/**
 * Parses `env` against `shape`. Every bad variable is named in the one-line message:
 * `config: GRPC_PORT must be an integer 0..65535 (got "abc")`.
 */
export function parseEnv<S extends EnvShape>(shape: S, env: Env): z.output<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(`config: ${result.error.issues.map((issue) => problem(issue, env)).join("; ")}`);
}

/** Adds problems that span several variables (checked after parsing) to one ConfigError. */
export function configProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw new ConfigError(`config: ${problems.join("; ")}`);
}

function problem(issue: z.ZodError["issues"][number], env: Env): string {
  const name = String(issue.path[0] ?? "?");
  const value = env[name];
  // Never echo a secret, not even a bad one.
  if (value !== undefined && issue.code === "custom" && issue.params?.["secret"] === true) {
    return `${name} ${issue.message} (got ${value.length} characters)`;
  }
  return `${name} ${issue.message}${value === undefined ? " (not set)" : ` (got ${JSON.stringify(withoutPassword(value))})`}`;
}

/** A value as it may be echoed: a URL's password (even in a malformed URL) is never printed. */
function withoutPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/*[^/@:\s]*):[^@/\s]*@/i, "$1:***@");
}

const wholeNumber = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, { error: `must be ${what} ${min}..${max}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: `must be ${what} ${min}..${max}` });

/** A string matching `pattern`; `expects` completes "X must be …". Required unless it has a default. */
function stringVariable(options: { readonly pattern: RegExp; readonly expects: string; readonly default?: string }) {
  const schema = z.string({ error: `must be set to ${options.expects}` }).regex(options.pattern, { error: `must be ${options.expects}` });
  return options.default === undefined ? schema : schema.default(options.default);
}

/** Building blocks for service config schemas; each message says what a good value looks like. */
export const env = {
  port: () =>
    z
      .string({ error: "must be set to a port number 0..65535 (0 picks a free port)" })
      .regex(/^\d{1,5}$/, { error: "must be an integer 0..65535" })
      .transform(Number)
      .refine((n) => n <= 65_535, { error: "must be an integer 0..65535" }),
  milliseconds: (defaultMs: number, max = 3_600_000, min = 1) => wholeNumber(min, max, "a whole number of milliseconds").default(defaultMs),
  positiveInt: (defaultValue: number, max: number) => wholeNumber(1, max, "an integer").default(defaultValue),
  host: () =>
    z
      .string()
      .regex(/^[\w.:-]+$/, { error: "must be a host name or IP address" })
      .default("127.0.0.1"),
  /** host:port of a gRPC server, or unix:/path of its socket (a sidecar's egress in the mesh). */
  address: () =>
    z
      .string({ error: "must be set to host:port or unix:/path" })
      .regex(/^([\w.-]+:\d{1,5}|unix:\/\S+)$/, { error: "must be host:port, e.g. 127.0.0.1:7001, or unix:/path/to.sock" }),
  /** An absolute path (a Unix socket, a file). */
  path: () => z.string().regex(/^\/\S*$/, { error: "must be an absolute path" }),
  url: (protocols: readonly string[]) =>
    z.string({ error: `must be set to a ${protocols.join(" or ")} URL` }).refine(
      (s) => {
        try {
          return protocols.includes(new URL(s).protocol.replace(/:$/, ""));
        } catch {
          return false;
        }
      },
      { error: `must be a ${protocols.join(" or ")} URL` },
    ),
  string: stringVariable,
  /** One of `values`; unset or empty means undefined (an aid that is off unless switched on). */
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) =>
    z
      .enum([...values, ""] as [T[number] | "", ...(T[number] | "")[]], {
        error: `must be one of ${values.join(", ")} or empty`,
      })
      .optional()
      .transform((v): T[number] | undefined => (v === "" || v === undefined ? undefined : v)),
  boolean: (defaultValue: boolean) =>
    z
      .enum(["true", "false"], { error: "must be true or false" })
      .default(defaultValue ? "true" : "false")
      .transform((v) => v === "true"),
  /**
   * A key that may be left unset (the service then makes a random one per process). Unset or
   * empty means unset; a value too short is refused without echoing it.
   */
  secret: (minLength = 32) =>
    z
      .string()
      .optional()
      .transform((s) => (s === "" ? undefined : s))
      .refine((s) => s === undefined || s.length >= minLength, {
        error: `must be at least ${minLength} characters when set`,
        params: { secret: true },
      }),
  databaseName: (defaultName: string) =>
    stringVariable({
      pattern: /^[A-Za-z0-9_-]{1,63}$/,
      expects: "a database name of 1..63 letters, digits, '_' or '-'",
      default: defaultName,
    }),
  logLevel: () =>
    z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        error: "must be one of fatal, error, warn, info, debug, trace, silent",
      })
      .default("info"),
} as const;

/** What every shop server reads: where to listen, how to log, how often to probe, how long to drain. */
export const serverEnvShape = {
  GRPC_HOST: env.host().describe("interface to listen on"),
  GRPC_PORT: env.port().optional().describe("port to listen on; 0 picks a free one; required unless `GRPC_SOCKET` is set"),
  GRPC_SOCKET: env
    .path()
    .optional()
    .describe("Unix socket to listen on instead of a port (in the mesh: where only this service's sidecar connects)"),
  LOG_LEVEL: env.logLevel().describe("`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`"),
  SHUTDOWN_GRACE_MS: env.milliseconds(5_000, 60_000).describe("how long in-flight calls may finish on SIGTERM or SIGINT"),
  DRAIN_DELAY_MS: env
    .milliseconds(0, 60_000, 0)
    .describe(
      "on SIGTERM or SIGINT, how long the service goes on answering while health says NOT_SERVING, before it stops accepting calls (the mesh sets it, so callers move to other replicas first)",
    ),
  PROBE_INTERVAL_MS: env
    .milliseconds(1_000, 60_000)
    .describe("how often health re-checks the service's store (NOT_SERVING while it does not answer)"),
  METRICS_PORT: env
    .port()
    .optional()
    .describe(
      "port on 127.0.0.1 where `GET /metrics` answers in the Prometheus text format (RPCs by method and code, latency); unset: no metrics server",
    ),
} as const;

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Listen on this Unix socket instead of host:port. */
  readonly socket?: string;
  readonly logLevel: string;
  readonly shutdownGraceMs: number;
  readonly drainDelayMs: number;
  readonly probeIntervalMs: number;
  /** Serve /metrics on 127.0.0.1 at this port; none when undefined. */
  readonly metricsPort?: number;
}

/**
 * What the tracing module (loaded with `--import` before anything else) reads. Off unless
 * TRACING=true: then nothing is exported and nothing tries to reach a collector.
 */
export const tracingEnvShape = {
  TRACING: env.boolean(false).describe("send spans of every RPC to Zipkin (`true` or `false`)"),
  TRACING_ZIPKIN_URL: env.url(["http", "https"]).optional().describe("Zipkin's span endpoint (`…/api/v2/spans`); required when tracing"),
  TRACING_SAMPLING: z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, { error: "must be a ratio 0..1" })
    .default("1")
    .transform(Number)
    .describe("share of the traces this service starts itself that are kept; calls that arrive follow their caller's decision"),
  TRACING_SERVICE_NAME: env
    .string({ pattern: /^[a-z][a-z0-9-]*$/, expects: "a service name", default: "shop" })
    .describe("the service's name in traces"),
  TRACING_INSTANCE: env
    .string({ pattern: /^[a-z][a-z0-9-]*$/, expects: "a replica name", default: "shop" })
    .describe("the replica's name in traces (service.instance.id)"),
} as const;

export type TracingConfig =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      readonly zipkinUrl: string;
      readonly sampling: number;
      readonly serviceName: string;
      readonly instance: string;
    };

/** Tracing settings from `env`; a bad value is a ConfigError naming the variable. */
export function tracingConfig(environment: Env): TracingConfig {
  const parsed = parseEnv(tracingEnvShape, environment);
  if (!parsed.TRACING) return { enabled: false };
  if (parsed.TRACING_ZIPKIN_URL === undefined) throw new ConfigError("config: TRACING_ZIPKIN_URL must be set when TRACING=true (not set)");
  return {
    enabled: true,
    zipkinUrl: parsed.TRACING_ZIPKIN_URL,
    sampling: parsed.TRACING_SAMPLING,
    serviceName: parsed.TRACING_SERVICE_NAME,
    instance: parsed.TRACING_INSTANCE,
  };
}

/** The server part of a config parsed with serverEnvShape. */
export function serverConfig(parsed: z.output<z.ZodObject<typeof serverEnvShape>>): ServerConfig {
  if (parsed.GRPC_PORT === undefined && parsed.GRPC_SOCKET === undefined) {
    throw new ConfigError("config: GRPC_PORT must be set to a port number 0..65535 (0 picks a free port) (not set)");
  }
  return {
    host: parsed.GRPC_HOST,
    port: parsed.GRPC_PORT ?? 0,
    ...(parsed.GRPC_SOCKET !== undefined ? { socket: parsed.GRPC_SOCKET } : {}),
    logLevel: parsed.LOG_LEVEL,
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
    drainDelayMs: parsed.DRAIN_DELAY_MS,
    probeIntervalMs: parsed.PROBE_INTERVAL_MS,
    ...(parsed.METRICS_PORT !== undefined ? { metricsPort: parsed.METRICS_PORT } : {}),
  };
}

/** A service's own MongoDB database: MONGO_URL and MONGO_DB (defaulting to the service's name for it). */
export function mongoEnvShape(defaultDb: string) {
  return {
    MONGO_URL: env.url(["mongodb", "mongodb+srv"]).describe("`mongodb://` URL of the service's MongoDB (or FerretDB)"),
    MONGO_DB: env.databaseName(defaultDb).describe("database name"),
  } as const;
}

export interface MongoConfig {
  readonly url: string;
  readonly db: string;
}

export function mongoConfig(parsed: { readonly MONGO_URL: string; readonly MONGO_DB: string }): MongoConfig {
  return { url: parsed.MONGO_URL, db: parsed.MONGO_DB };
}

/** A service's own Redis. */
export const redisEnvShape = {
  REDIS_URL: env.url(["redis", "rediss"]).describe("`redis://` URL of the service's own Redis"),
} as const;

export interface RedisConfig {
  readonly url: string;
}

export function redisConfig(parsed: { readonly REDIS_URL: string }): RedisConfig {
  return { url: parsed.REDIS_URL };
}

/** What a service that owns a MongoDB database reads: the server's settings and its database. */
export function mongoServiceEnvShape(defaultDb: string) {
  return { ...serverEnvShape, ...mongoEnvShape(defaultDb) } as const;
}

/** What a service that owns a Redis reads: the server's settings and its Redis. */
export const redisServiceEnvShape = { ...serverEnvShape, ...redisEnvShape } as const;

export interface MongoServiceConfig {
  readonly server: ServerConfig;
  readonly mongo: MongoConfig;
}

export interface RedisServiceConfig {
  readonly server: ServerConfig;
  readonly redis: RedisConfig;
}

export function mongoServiceConfig(parsed: z.output<z.ZodObject<ReturnType<typeof mongoServiceEnvShape>>>): MongoServiceConfig {
  return { server: serverConfig(parsed), mongo: mongoConfig(parsed) };
}

export function redisServiceConfig(parsed: z.output<z.ZodObject<typeof redisServiceEnvShape>>): RedisServiceConfig {
  return { server: serverConfig(parsed), redis: redisConfig(parsed) };
}

/** The HMAC key of a service's page tokens. */
export const pageTokenEnvShape = {
  PAGE_TOKEN_SECRET: env
    .secret()
    .describe(
      "HMAC key (at least 32 characters) of page tokens; unset: a random key per process. Set the same value on every " +
        "replica, or tokens fail with INVALID_ARGUMENT on another replica or after a restart",
    ),
} as const;

/** One row of a service's configuration table. */
export interface ConfigVariable {
  readonly name: string;
  /** The default as a user would write it, "(required)", or "(unset)" for an optional one. */
  readonly default: string;
  readonly description: string;
}

/** The documented variables of `shape`, in order; what each README's table shows. */
export function describeEnv(shape: EnvShape): ConfigVariable[] {
  return Object.entries(shape).map(([name, schema]) => {
    const unset = z.safeParse(schema, undefined);
    const defaultText = !unset.success ? "(required)" : unset.data === undefined ? "(unset)" : `\`${String(unset.data)}\``;
    return { name, default: defaultText, description: z.globalRegistry.get(schema)?.description ?? "" };
  });
}

/** The Markdown table of `shape`'s variables. */
export function configTable(shape: EnvShape): string {
  const rows = describeEnv(shape).map((v) => `| \`${v.name}\` | ${v.default} | ${v.description} |`);
  return ["| variable | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

const tableBegin = "<!-- config table: generated from src/config.ts by `make docs` -->";
const tableEnd = "<!-- end of config table -->";

/**
 * `readme` with the table between its config-table markers rendered from `shape`; a README
 * whose table is current comes back unchanged (what each service's config test checks).
 */
export function withConfigTable(readme: string, shape: EnvShape): string {
  const from = readme.indexOf(tableBegin);
  const to = readme.indexOf(tableEnd);
  if (from < 0 || to < from) throw new Error(`no config table markers (${tableBegin} … ${tableEnd})`);
  return `${readme.slice(0, from + tableBegin.length)}\n${configTable(shape)}\n${readme.slice(to)}`;
}
