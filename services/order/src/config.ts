// The order service's configuration: the only module that reads the environment.
import { ConfigError, env, parseEnv, serverConfig, serverEnvShape, type ServerConfig } from "@shopmesh/kit";
import type { SagaState } from "./order.js";

type Env = Readonly<Record<string, string | undefined>>;

const orderEnvShape = {
  ...serverEnvShape,
  /** The order service's own MongoDB (database MONGO_DB). */
  MONGO_URL: env.url(["mongodb", "mongodb+srv"]),
  /** Where the services the saga calls answer (in the mesh: this service's sidecar egress). */
  CART_ADDR: env.address(),
  CATALOG_ADDR: env.address(),
  INVENTORY_ADDR: env.address(),
  PAYMENT_ADDR: env.address(),
  SHIPPING_ADDR: env.address(),
  NOTIFICATION_ADDR: env.address(),
  /** Deadline of every downstream call. */
  DOWNSTREAM_TIMEOUT_MS: env.milliseconds(3_000, 60_000),
  /** How often the background loop looks for orders left unfinished (also runs once at start). */
  RECOVERY_INTERVAL_MS: env.milliseconds(2_000, 600_000),
  /** How long a runner owns an order without persisting progress; must exceed 2 x DOWNSTREAM_TIMEOUT_MS. */
  ORDER_LEASE_MS: env.milliseconds(15_000, 3_600_000),
  /** First and largest delay before a failed saga step is retried in the background. */
  RETRY_BASE_MS: env.milliseconds(1_000, 600_000),
  RETRY_MAX_MS: env.milliseconds(60_000, 3_600_000),
  /** How long PlaceOrder (same request id) and CancelOrder wait for another run of the order. */
  ORDER_WAIT_MS: env.milliseconds(30_000, 600_000),
  /** How long inventory holds an order's stock before it expires by itself (contract: 1 s..1 h). */
  RESERVATION_TTL_MS: env.milliseconds(15 * 60_000, 3_600_000),
  /** How often health re-checks MongoDB. */
  PROBE_INTERVAL_MS: env.milliseconds(1_000, 60_000),
} as const;

/** Where the process kills itself, for crash tests; both off unless set. */
export interface CrashPoints {
  /** SIGKILL right after this state is persisted. */
  readonly afterState: SagaState | undefined;
  /** SIGKILL right after this step's downstream call succeeded, before its outcome is persisted. */
  readonly beforePersistStep: CrashStep | undefined;
}

export const crashSteps = ["RESERVE", "CHARGE", "SHIP", "COMMIT", "EMPTY_CART", "REFUND", "RELEASE"] as const;
export type CrashStep = (typeof crashSteps)[number];

export interface OrderConfig {
  readonly server: ServerConfig;
  readonly mongo: { readonly url: string; readonly db: string };
  readonly downstream: {
    readonly cart: string;
    readonly catalog: string;
    readonly inventory: string;
    readonly payment: string;
    readonly shipping: string;
    readonly notification: string;
    readonly timeoutMs: number;
  };
  readonly saga: {
    readonly recoveryIntervalMs: number;
    readonly leaseMs: number;
    readonly retryBaseMs: number;
    readonly retryMaxMs: number;
    readonly waitMs: number;
    readonly reservationTtlMs: number;
  };
  /**
   * HMAC key of ListOrders page tokens. Undefined: a random key per process, so tokens do not
   * survive a restart and are not accepted by another replica.
   */
  readonly pageTokenSecret: string | undefined;
  readonly probeIntervalMs: number;
  readonly crash: CrashPoints;
}

/** The validated config; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Env): OrderConfig {
  const parsed = parseEnv(orderEnvShape, environment);
  const problems: string[] = [];
  const mongoDb = environment["MONGO_DB"] ?? "orders";
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(mongoDb)) {
    problems.push(`MONGO_DB must be a database name of 1..63 letters, digits, '_' or '-' (got ${JSON.stringify(mongoDb)})`);
  }
  // The longest step (a refund: look the payment up, then refund it) makes two calls.
  if (parsed.ORDER_LEASE_MS <= 2 * parsed.DOWNSTREAM_TIMEOUT_MS) {
    problems.push(`ORDER_LEASE_MS must be greater than twice DOWNSTREAM_TIMEOUT_MS (${parsed.DOWNSTREAM_TIMEOUT_MS}) (got "${parsed.ORDER_LEASE_MS}")`);
  }
  if (parsed.RETRY_MAX_MS < parsed.RETRY_BASE_MS) {
    problems.push(`RETRY_MAX_MS must be at least RETRY_BASE_MS (${parsed.RETRY_BASE_MS}) (got "${parsed.RETRY_MAX_MS}")`);
  }
  const secret = environment["PAGE_TOKEN_SECRET"];
  if (secret !== undefined && secret.length < 32) problems.push("PAGE_TOKEN_SECRET must be at least 32 characters when set");
  const afterState = oneOf(environment, "SAGA_CRASH_AFTER", ["PENDING", "RESERVED", "PAID", "SHIPPED"] as const, problems);
  const beforePersistStep = oneOf(environment, "SAGA_CRASH_BEFORE_PERSIST", crashSteps, problems);
  if (problems.length > 0) throw new ConfigError(`config: ${problems.join("; ")}`);
  return {
    server: serverConfig(parsed),
    mongo: { url: parsed.MONGO_URL, db: mongoDb },
    downstream: {
      cart: parsed.CART_ADDR,
      catalog: parsed.CATALOG_ADDR,
      inventory: parsed.INVENTORY_ADDR,
      payment: parsed.PAYMENT_ADDR,
      shipping: parsed.SHIPPING_ADDR,
      notification: parsed.NOTIFICATION_ADDR,
      timeoutMs: parsed.DOWNSTREAM_TIMEOUT_MS,
    },
    saga: {
      recoveryIntervalMs: parsed.RECOVERY_INTERVAL_MS,
      leaseMs: parsed.ORDER_LEASE_MS,
      retryBaseMs: parsed.RETRY_BASE_MS,
      retryMaxMs: parsed.RETRY_MAX_MS,
      waitMs: parsed.ORDER_WAIT_MS,
      reservationTtlMs: parsed.RESERVATION_TTL_MS,
    },
    pageTokenSecret: secret,
    probeIntervalMs: parsed.PROBE_INTERVAL_MS,
    crash: { afterState, beforePersistStep },
  };
}

function oneOf<T extends string>(environment: Env, name: string, allowed: readonly T[], problems: string[]): T | undefined {
  const value = environment[name];
  if (value === undefined || value === "") return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${allowed.join(", ")} or empty (got ${JSON.stringify(value)})`);
  return undefined;
}
