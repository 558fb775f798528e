// Shared by the integration tests: start the service on a real Redis.
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { createGrpcClient, createLogger, type GrpcClient, type RunningService } from "@shopmesh/kit";
import { startRedis, type TestStore } from "@shopmesh/testkit";
import { startInventory, type InventoryOptions } from "../src/app.js";
import { loadConfig } from "../src/config.js";

export interface Running {
  readonly redis: TestStore;
  readonly app: RunningService;
  readonly client: GrpcClient<typeof InventoryService>;
  stop(): Promise<void>;
}

/** A redis-server, the service on port 0 in front of it, and a client; env adds config. */
export async function startAll(env: Record<string, string> = {}, options: InventoryOptions = {}): Promise<Running> {
  const redis = await startRedis();
  const config = loadConfig({ GRPC_PORT: "0", REDIS_URL: redis.url, LOG_LEVEL: "silent", SHUTDOWN_GRACE_MS: "1000", ...env });
  const app = await startInventory(config, createLogger("inventory", config.server.logLevel), options);
  const client = createGrpcClient(InventoryService, app.server.address, { defaultTimeoutMs: 5_000 });
  return {
    redis,
    app,
    client,
    async stop() {
      client.close();
      await app.stop();
      await redis.dispose();
    },
  };
}
