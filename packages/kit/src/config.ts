// Environment configuration, validated once at start. A bad or missing value stops the process
// with one line that names the variable and says what it expects.
import { z } from "zod";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses `env` against `shape` (one zod schema per variable name). Every bad variable is named
 * in the one-line message: `config: GRPC_PORT must be an integer 0..65535 (got "abc")`.
 */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: Env): z.output<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "?");
    const value = env[name];
    return `${name} ${issue.message}${value === undefined ? " (not set)" : ` (got ${JSON.stringify(value)})`}`;
  });
  throw new ConfigError(`config: ${problems.join("; ")}`);
}

/** Building blocks for service config schemas; each message says what a good value looks like. */
export const env = {
  port: () =>
    z
      .string({ error: "must be set to a port number 0..65535 (0 picks a free port)" })
      .regex(/^\d{1,5}$/, { error: "must be an integer 0..65535" })
      .transform(Number)
      .refine((n) => n <= 65_535, { error: "must be an integer 0..65535" }),
  milliseconds: (defaultMs: number, max = 3_600_000) =>
    z
      .string()
      .regex(/^\d+$/, { error: `must be a whole number of milliseconds 1..${max}` })
      .transform(Number)
      .refine((n) => n >= 1 && n <= max, { error: `must be a whole number of milliseconds 1..${max}` })
      .default(defaultMs),
  positiveInt: (defaultValue: number, max: number) =>
    z
      .string()
      .regex(/^\d+$/, { error: `must be an integer 1..${max}` })
      .transform(Number)
      .refine((n) => n >= 1 && n <= max, { error: `must be an integer 1..${max}` })
      .default(defaultValue),
  host: () => z.string().regex(/^[\w.:-]+$/, { error: "must be a host name or IP address" }).default("127.0.0.1"),
  /** host:port of a gRPC server (a sidecar's egress in the mesh). */
  address: () =>
    z
      .string({ error: "must be set to host:port" })
      .regex(/^[\w.-]+:\d{1,5}$/, { error: "must be host:port, e.g. 127.0.0.1:7001" }),
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
  logLevel: () =>
    z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        error: "must be one of fatal, error, warn, info, debug, trace, silent",
      })
      .default("info"),
} as const;

/** What every shop server reads: where to listen, how to log, how long to drain on shutdown. */
export const serverEnvShape = {
  GRPC_HOST: env.host(),
  GRPC_PORT: env.port(),
  LOG_LEVEL: env.logLevel(),
  SHUTDOWN_GRACE_MS: env.milliseconds(5_000, 60_000),
} as const;

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly shutdownGraceMs: number;
}

/** The server part of a config parsed with serverEnvShape. */
export function serverConfig(parsed: z.output<z.ZodObject<typeof serverEnvShape>>): ServerConfig {
  return {
    host: parsed.GRPC_HOST,
    port: parsed.GRPC_PORT,
    logLevel: parsed.LOG_LEVEL,
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
  };
}
