// What `make up` runs: every store and service, with ports derived from one base so a running
// shop and a test run never collide. Each service owns its store: one FerretDB holds a database
// per Mongo service, and each Redis service gets a redis-server of its own.
import { join } from "node:path";
import { repoRoot, toolPath } from "@shopmesh/testkit";

export interface Component {
  readonly name: string;
  readonly kind: "store" | "service";
  readonly port: number;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** gRPC services whose health must be SERVING (services only). */
  readonly health?: boolean;
}

export function components(base: number, runDir: string): Component[] {
  const port = {
    ferretdb: base + 1,
    inventoryRedis: base + 2,
    cartRedis: base + 3,
    catalog: base + 10,
    inventory: base + 11,
    cart: base + 12,
    user: base + 13,
  };
  const mongoUrl = `mongodb://127.0.0.1:${port.ferretdb}`;
  const redis = (name: string, p: number): Component => ({
    name,
    kind: "store",
    port: p,
    command: "redis-server",
    args: ["--port", String(p), "--bind", "127.0.0.1", "--dir", join(runDir, "data"), "--dbfilename", `${name}.rdb`, "--save", "60 1", "--appendonly", "no"],
  });
  const service = (name: string, p: number, env: Record<string, string>): Component => ({
    name,
    kind: "service",
    port: p,
    command: process.execPath,
    args: [join(repoRoot, "services", name, "dist", "src", "main.js")],
    env: { GRPC_PORT: String(p), LOG_LEVEL: "info", ...env },
    health: true,
  });
  return [
    {
      name: "ferretdb",
      kind: "store",
      port: port.ferretdb,
      command: toolPath("ferretdb"),
      args: [
        "--handler=sqlite",
        `--sqlite-url=file:${join(runDir, "data", "ferretdb")}/`,
        `--listen-addr=127.0.0.1:${port.ferretdb}`,
        `--state-dir=${join(runDir, "data", "ferretdb")}`,
        "--telemetry=disable",
        "--debug-addr=-",
        "--log-level=warn",
      ],
    },
    redis("redis-inventory", port.inventoryRedis),
    redis("redis-cart", port.cartRedis),
    service("catalog", port.catalog, { MONGO_URL: mongoUrl, MONGO_DB: "catalog" }),
    service("inventory", port.inventory, { REDIS_URL: `redis://127.0.0.1:${port.inventoryRedis}` }),
    service("user", port.user, {
      MONGO_URL: mongoUrl,
      MONGO_DB: "users",
      JWT_PRIVATE_KEY_FILE: join(runDir, "keys", "jwt-es256.pem"),
    }),
    service("cart", port.cart, {
      REDIS_URL: `redis://127.0.0.1:${port.cartRedis}`,
      CATALOG_ADDR: `127.0.0.1:${port.catalog}`,
    }),
  ];
}
