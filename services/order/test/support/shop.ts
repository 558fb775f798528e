// The shop for the order service's integration tests, started by devstack's startShop without the
// mesh: one FerretDB (a database per Mongo service), one redis-server per Redis service, and every
// service the saga talks to plus the order service itself, each as its real process from
// services/<name>/dist, on a free port base in a temporary directory, with the event broker the
// order, notification and inventory services use. Any service, or the broker, can be SIGKILLed
// and started again on the same port, with extra env if wanted, or stalled with SIGSTOP.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderService } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { PaymentService } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectAsAdmin, connectToBroker, startShop } from "@shopmesh/devstack";
import { inboxPrefix } from "@shopmesh/events";
import { createGrpcClient, type GrpcClient } from "@shopmesh/kit";
import type { TestStore } from "@shopmesh/testkit";

export const serviceNames = ["catalog", "inventory", "cart", "payment", "shipping", "notification", "order"] as const;
export type ServiceName = (typeof serviceNames)[number];
/** What a test can kill and start again: a service, the event broker, or notification's Redis. */
export type ProcessName = ServiceName | "broker" | "redis-notification";

/** The order service's settings in tests: short deadlines, leases and intervals. */
export const orderTestEnv = {
  DOWNSTREAM_TIMEOUT_MS: "2000",
  ORDER_LEASE_MS: "4500",
  RECOVERY_INTERVAL_MS: "200",
  RETRY_BASE_MS: "200",
  RETRY_MAX_MS: "1000",
  ORDER_WAIT_MS: "15000",
  PROBE_INTERVAL_MS: "500",
} as const;

export interface ShopClients {
  readonly order: GrpcClient<typeof OrderService>;
  readonly catalog: GrpcClient<typeof CatalogService>;
  readonly inventory: GrpcClient<typeof InventoryService>;
  readonly cart: GrpcClient<typeof CartService>;
  readonly payment: GrpcClient<typeof PaymentService>;
  readonly shipping: GrpcClient<typeof ShippingService>;
  readonly notification: GrpcClient<typeof NotificationService>;
}

export interface Shop {
  readonly clients: ShopClients;
  readonly address: Readonly<Record<ServiceName, string>>;
  /** The FerretDB every Mongo service (and the order service) uses. */
  readonly mongo: TestStore;
  /** The order process's whole environment (its store, the services it calls, the test settings), for a replica. */
  readonly orderEnv: Readonly<Record<string, string>>;
  /** SIGKILL, as a crash. */
  kill(name: ProcessName): Promise<void>;
  /** SIGSTOP (a hang: connections stay open, nothing is answered) or SIGCONT (it goes on). */
  signal(name: ProcessName, signal: "SIGSTOP" | "SIGCONT"): void | Promise<void>;
  /** Starts a stopped or killed service (or the broker) again on its port (with `extraEnv` on top) until ready. */
  start(name: ProcessName, extraEnv?: Record<string, string>): Promise<void>;
  /** A broker connection as the mesh's admin (every subject), for publishing test messages; the caller closes it. */
  brokerAdmin(): Promise<NatsConnection>;
  /** A broker connection with a service's certificate (e.g. "notification") and its inboxes; the caller closes it. */
  brokerAs(workload: string): Promise<NatsConnection>;
  /** The run directory's PKI (the mesh CA, every workload's certificate). */
  readonly pkiDir: string;
  /** The broker's HTTP monitoring (/jsz). */
  readonly brokerMonitorUrl: string;
  /** Where clients reach the broker (TLS). */
  readonly brokerUrl: string;
  /** What a service's process wrote (its last 20 kB), for failure messages. */
  output(name: ServiceName): string;
  /** Stops everything and removes its data. */
  stop(): Promise<void>;
}

export async function startOrderShop(options: { orderEnv?: Record<string, string> } = {}): Promise<Shop> {
  const runDir = mkdtempSync(join(tmpdir(), "shopmesh-order-"));
  const quiet = { LOG_LEVEL: "warn", PROBE_INTERVAL_MS: "500", SHUTDOWN_GRACE_MS: "1000" };
  const orderEnv = { ...quiet, LOG_LEVEL: "info", ...orderTestEnv, ...options.orderEnv };
  const shop = await startShop({
    base: "free",
    runDir,
    mesh: false,
    services: serviceNames,
    graceMs: 3_000,
    // The order process crashes itself at a point of the saga (SAGA_CRASH_AFTER); the tests start it again themselves.
    supervise: false,
    env: {
      ...Object.fromEntries(serviceNames.map((name) => [name, quiet])),
      catalog: { ...quiet, SEED_DEMO_CATALOG: "false" },
      order: orderEnv,
    },
  }).catch((err: unknown) => {
    rmSync(runDir, { recursive: true, force: true });
    throw err;
  });
  const appPort = (name: ServiceName): number => shop.topology.services.find((s) => s.name === name)?.appPort ?? 0;
  const address = Object.fromEntries(serviceNames.map((n) => [n, `127.0.0.1:${appPort(n)}`])) as Record<ServiceName, string>;

  const clientOptions = { defaultTimeoutMs: 20_000 };
  const clients: ShopClients = {
    order: createGrpcClient(OrderService, address.order, clientOptions),
    catalog: createGrpcClient(CatalogService, address.catalog, clientOptions),
    inventory: createGrpcClient(InventoryService, address.inventory, clientOptions),
    cart: createGrpcClient(CartService, address.cart, clientOptions),
    payment: createGrpcClient(PaymentService, address.payment, clientOptions),
    shipping: createGrpcClient(ShippingService, address.shipping, clientOptions),
    notification: createGrpcClient(NotificationService, address.notification, clientOptions),
  };
  const stop = async (): Promise<void> => {
    for (const client of Object.values(clients)) client.close();
    await shop.stop();
    rmSync(runDir, { recursive: true, force: true });
  };
  const ferretdb = shop.topology.stores.find((s) => s.kind === "mongodb");
  if (ferretdb === undefined) throw new Error("the topology has no MongoDB store");
  const mongo: TestStore = {
    url: `mongodb://127.0.0.1:${ferretdb.port}`,
    managed: true,
    stop: () => shop.stop(ferretdb.name),
    start: () => shop.restart(ferretdb.name),
    // Its data goes with the shop's run directory, in stop().
    dispose: async () => {
      await shop.signal(ferretdb.name, "SIGCONT");
      await shop.stop(ferretdb.name);
    },
    pause: () => shop.signal(ferretdb.name, "SIGSTOP"),
    resume: () => shop.signal(ferretdb.name, "SIGCONT"),
  };

  const orderComponent = shop.running.find((r) => r.component.name === "order")?.component;
  return {
    clients,
    address,
    mongo,
    orderEnv: { ...orderComponent?.env, ...orderEnv },
    kill: shop.kill,
    signal: shop.signal,
    start: shop.restart,
    brokerAdmin: () => connectAsAdmin(shop.topology, shop.dirs),
    brokerAs: (workload) => connectToBroker(shop.topology, shop.dirs, workload, inboxPrefix(workload)),
    pkiDir: shop.dirs.pkiDir,
    brokerMonitorUrl: `http://127.0.0.1:${shop.topology.broker?.monitorPort ?? 0}`,
    brokerUrl: `tls://127.0.0.1:${shop.topology.broker?.port ?? 0}`,
    output: shop.output,
    stop,
  };
}
