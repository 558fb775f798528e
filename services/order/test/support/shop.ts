// The whole shop for the order service's integration tests: one FerretDB (a database per Mongo
// service), one redis-server per Redis service, and every service the saga talks to, each as its
// real process from services/<name>/dist, plus the order service itself, built the same way.
// Any service can be SIGKILLed and started again on the same port, with extra env if wanted.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderService } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { PaymentService } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { createGrpcClient, type GrpcClient } from "@shopmesh/kit";
import {
  freePort,
  healthClient,
  repoRoot,
  startChild,
  startMongo,
  startRedis,
  type Child,
  type TestStore,
} from "@shopmesh/testkit";

export const serviceNames = ["catalog", "inventory", "cart", "payment", "shipping", "notification", "order"] as const;
export type ServiceName = (typeof serviceNames)[number];

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
  /** SIGKILL, as a crash. */
  kill(name: ServiceName): Promise<void>;
  /** Starts a stopped or killed service again on its port (with `extraEnv` on top) until SERVING. */
  start(name: ServiceName, extraEnv?: Record<string, string>): Promise<void>;
  /** What a service's process wrote (its last 20 kB), for failure messages. */
  output(name: ServiceName): string;
  stop(): Promise<void>;
}

function distMain(name: ServiceName): string {
  return join(repoRoot, "services", name, "dist", "src", "main.js");
}

export async function startShop(options: { orderEnv?: Record<string, string> } = {}): Promise<Shop> {
  const missing = serviceNames.filter((name) => !existsSync(distMain(name)));
  if (missing.length > 0) throw new Error(`build these first (tsc -b services/<name>): ${missing.join(", ")}`);

  const [mongo, inventoryRedis, cartRedis, notificationRedis] = await Promise.all([startMongo(), startRedis(), startRedis(), startRedis()]);
  const ports = Object.fromEntries(await Promise.all(serviceNames.map(async (n) => [n, await freePort()] as const))) as Record<ServiceName, number>;
  const address = Object.fromEntries(serviceNames.map((n) => [n, `127.0.0.1:${ports[n]}`])) as Record<ServiceName, string>;

  const envOf: Record<ServiceName, Record<string, string>> = {
    catalog: { MONGO_URL: mongo.url, MONGO_DB: "catalog", SEED_DEMO_CATALOG: "false" },
    inventory: { REDIS_URL: inventoryRedis.url },
    cart: { REDIS_URL: cartRedis.url, CATALOG_ADDR: address.catalog },
    payment: { MONGO_URL: mongo.url, MONGO_DB: "payments" },
    shipping: { MONGO_URL: mongo.url, MONGO_DB: "shipping" },
    notification: { REDIS_URL: notificationRedis.url },
    order: {
      MONGO_URL: mongo.url,
      MONGO_DB: "orders",
      CART_ADDR: address.cart,
      CATALOG_ADDR: address.catalog,
      INVENTORY_ADDR: address.inventory,
      PAYMENT_ADDR: address.payment,
      SHIPPING_ADDR: address.shipping,
      NOTIFICATION_ADDR: address.notification,
      ...orderTestEnv,
      ...options.orderEnv,
    },
  };

  const children = new Map<ServiceName, Child>();
  const start = async (name: ServiceName, extraEnv: Record<string, string> = {}): Promise<void> => {
    const env = {
      PATH: process.env["PATH"] ?? "",
      GRPC_PORT: String(ports[name]),
      LOG_LEVEL: name === "order" ? "info" : "warn",
      PROBE_INTERVAL_MS: "500",
      SHUTDOWN_GRACE_MS: "1000",
      ...envOf[name],
      ...extraEnv,
    };
    const child = startChild(process.execPath, [distMain(name)], { env, cwd: repoRoot });
    children.set(name, child);
    const health = healthClient(address[name]);
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        if (child.process.exitCode !== null || child.process.signalCode !== null) {
          throw new Error(`${name} exited (${child.process.exitCode ?? child.process.signalCode}) before serving:\n${child.output()}`);
        }
        const status = await health.check().catch(() => "no answer");
        if (status === "SERVING") return;
        if (Date.now() > deadline) throw new Error(`${name} not SERVING after 20 s (last: ${status}):\n${child.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      health.close();
    }
  };

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

  const stores = [mongo, inventoryRedis, cartRedis, notificationRedis];
  const stopAll = async (): Promise<void> => {
    Object.values(clients).forEach((c) => c.close());
    await Promise.all([...children.values()].map((c) => c.stop(3_000)));
    await Promise.all(stores.map((s) => s.dispose()));
  };

  try {
    await Promise.all(serviceNames.map((name) => start(name)));
  } catch (err) {
    await stopAll();
    throw err;
  }

  return {
    clients,
    address,
    mongo,
    kill: async (name) => {
      await children.get(name)?.kill();
    },
    start,
    output: (name) => children.get(name)?.output() ?? "",
    stop: stopAll,
  };
}
