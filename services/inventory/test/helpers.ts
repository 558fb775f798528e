// Shared by the integration tests: start the service on a real Redis, and read errors.
import type { ConnectError } from "@connectrpc/connect";
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
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

export { rejection } from "@shopmesh/testkit";

/** The PreconditionFailure violations of an error, as plain objects. */
export function preconditionViolations(err: ConnectError): { type: string; subject: string; description: string }[] {
  return err
    .findDetails(PreconditionFailureSchema)
    .flatMap((d) => d.violations)
    .map(({ type, subject, description }) => ({ type, subject, description }));
}

/** Polls `check` until it returns true; fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000, stepMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
