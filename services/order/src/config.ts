// The order service's configuration: the only module that reads the environment.
import { brokerConfig, brokerEnvShape, type BrokerConfig } from "@shopmesh/events";
import {
  configProblems,
  env,
  mongoServiceConfig,
  mongoServiceEnvShape,
  pageTokenEnvShape,
  parseEnv,
  type Env,
  type MongoServiceConfig,
} from "@shopmesh/kit";
import type { SagaState } from "./order.js";

export const crashSteps = ["RESERVE", "CHARGE", "SHIP", "COMMIT", "EMPTY_CART", "REFUND", "RELEASE"] as const;
export type CrashStep = (typeof crashSteps)[number];
const crashStates = ["PENDING", "RESERVED", "PAID", "SHIPPED", "CONFIRMED", "CANCELLED"] as const satisfies readonly SagaState[];

const downstreamAddress = (service: string) =>
  env.address().describe(`\`host:port\` of ${service} (in the mesh: this service's sidecar egress)`);

export const envShape = {
  ...mongoServiceEnvShape("orders"),
  CART_ADDR: downstreamAddress("CartService"),
  CATALOG_ADDR: downstreamAddress("CatalogService"),
  INVENTORY_ADDR: downstreamAddress("InventoryService"),
  PAYMENT_ADDR: downstreamAddress("PaymentService"),
  SHIPPING_ADDR: downstreamAddress("ShippingService"),
  DOWNSTREAM_TIMEOUT_MS: env.milliseconds(3_000, 60_000).describe("deadline of every downstream call"),
  RECOVERY_INTERVAL_MS: env
    .milliseconds(2_000, 600_000)
    .describe("how often the recovery loop looks for unfinished orders (it also runs once at start)"),
  ORDER_LEASE_MS: env
    .milliseconds(15_000, 3_600_000)
    .describe(
      "how long a runner owns an order between persisted steps; after a crash, recovery takes over once it ran out; " +
        "must exceed 2 × `DOWNSTREAM_TIMEOUT_MS`",
    ),
  RETRY_BASE_MS: env.milliseconds(1_000, 600_000).describe("first delay before a failed saga step is retried (doubling per attempt)"),
  RETRY_MAX_MS: env.milliseconds(60_000, 3_600_000).describe("largest delay between retries of a failed saga step"),
  ORDER_WAIT_MS: env
    .milliseconds(30_000, 600_000)
    .describe(
      "how long CancelOrder, and PlaceOrder with a request id in use (at most until `PLACE_ORDER_REPLY_MS`, when it answers with " +
        "the order as it stands), wait for another runner of the order before UNAVAILABLE",
    ),
  PLACE_ORDER_REPLY_MS: env
    .milliseconds(8_000, 600_000)
    .describe(
      "longest PlaceOrder runs before it answers with the order as it stands (not final yet: its saga goes on, and the client " +
        "follows it with GetOrder); it also answers just before the caller's own deadline. Keep it below the gateway's route " +
        "timeout for order (`timeout` in deploy/topology.yaml, 10 s), or the client gets UNAVAILABLE for an order that goes on",
    ),
  PLACE_ORDER_MAX_IN_FLIGHT: env
    .positiveInt(8, 10_000)
    .describe(
      "most orders this process places at once, from PlaceOrder's first read to the end of the order's saga; one more " +
        "PlaceOrder is answered RESOURCE_EXHAUSTED at once, with nothing recorded, instead of slowing every order down",
    ),
  RESERVATION_TTL_MS: env
    .milliseconds(15 * 60_000, 3_600_000)
    .describe("how long inventory holds an order's stock before it expires by itself (1 s..1 h)"),
  ...pageTokenEnvShape,
  ...brokerEnvShape,
  OUTBOX_SWEEP_MS: env
    .milliseconds(1_000, 60_000)
    .describe("how often the outbox relay looks for events not published yet (each is also published right after its order ends)"),
  SAGA_CRASH_AFTER: env
    .oneOf(crashStates)
    .describe(`testing aid, off by default: ${crashStates.join(", ")} — the process SIGKILLs itself right after persisting that state`),
  SAGA_CRASH_BEFORE_PERSIST: env
    .oneOf(crashSteps)
    .describe(
      `testing aid, off by default: ${crashSteps.join(", ")} — SIGKILL right after that step succeeded downstream, ` +
        "before its outcome is persisted",
    ),
} as const;

/** Where the process kills itself, for crash tests; both off unless set. */
export interface CrashPoints {
  /** SIGKILL right after this state is persisted. */
  readonly afterState: SagaState | undefined;
  /** SIGKILL right after this step's downstream call succeeded, before its outcome is persisted. */
  readonly beforePersistStep: CrashStep | undefined;
}

export interface OrderConfig extends MongoServiceConfig {
  readonly downstream: {
    readonly cart: string;
    readonly catalog: string;
    readonly inventory: string;
    readonly payment: string;
    readonly shipping: string;
    readonly timeoutMs: number;
  };
  readonly saga: {
    readonly recoveryIntervalMs: number;
    readonly leaseMs: number;
    readonly retryBaseMs: number;
    readonly retryMaxMs: number;
    readonly waitMs: number;
    /** PLACE_ORDER_REPLY_MS. */
    readonly replyMs: number;
    /** PLACE_ORDER_MAX_IN_FLIGHT. */
    readonly maxInFlight: number;
    readonly reservationTtlMs: number;
  };
  /** Undefined: a random key per process, so tokens are not accepted by another replica. */
  readonly pageTokenSecret: string | undefined;
  /** Undefined: events wait in the outbox. */
  readonly broker: BrokerConfig | undefined;
  readonly outboxSweepMs: number;
  readonly crash: CrashPoints;
}

/** The validated config; throws ConfigError naming every bad variable. */
export function loadConfig(environment: Env): OrderConfig {
  const parsed = parseEnv(envShape, environment);
  const problems: string[] = [];
  // The longest step (a PAID order's refund: cancel the shipment, then void the charge) makes two calls.
  if (parsed.ORDER_LEASE_MS <= 2 * parsed.DOWNSTREAM_TIMEOUT_MS) {
    problems.push(
      `ORDER_LEASE_MS must be greater than twice DOWNSTREAM_TIMEOUT_MS (${parsed.DOWNSTREAM_TIMEOUT_MS}) (got "${parsed.ORDER_LEASE_MS}")`,
    );
  }
  if (parsed.RETRY_MAX_MS < parsed.RETRY_BASE_MS) {
    problems.push(`RETRY_MAX_MS must be at least RETRY_BASE_MS (${parsed.RETRY_BASE_MS}) (got "${parsed.RETRY_MAX_MS}")`);
  }
  configProblems(problems);
  return {
    ...mongoServiceConfig(parsed),
    downstream: {
      cart: parsed.CART_ADDR,
      catalog: parsed.CATALOG_ADDR,
      inventory: parsed.INVENTORY_ADDR,
      payment: parsed.PAYMENT_ADDR,
      shipping: parsed.SHIPPING_ADDR,
      timeoutMs: parsed.DOWNSTREAM_TIMEOUT_MS,
    },
    saga: {
      recoveryIntervalMs: parsed.RECOVERY_INTERVAL_MS,
      leaseMs: parsed.ORDER_LEASE_MS,
      retryBaseMs: parsed.RETRY_BASE_MS,
      retryMaxMs: parsed.RETRY_MAX_MS,
      waitMs: parsed.ORDER_WAIT_MS,
      replyMs: parsed.PLACE_ORDER_REPLY_MS,
      maxInFlight: parsed.PLACE_ORDER_MAX_IN_FLIGHT,
      reservationTtlMs: parsed.RESERVATION_TTL_MS,
    },
    pageTokenSecret: parsed.PAGE_TOKEN_SECRET,
    broker: brokerConfig(parsed),
    outboxSweepMs: parsed.OUTBOX_SWEEP_MS,
    crash: { afterState: parsed.SAGA_CRASH_AFTER, beforePersistStep: parsed.SAGA_CRASH_BEFORE_PERSIST },
  };
}
