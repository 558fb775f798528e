// A second order process beside the shop's own: the same database and the same services to call,
// on a port of its own, so that two replicas place, recover and cancel the same orders.
import { join } from "node:path";
import { OrderService } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { createGrpcClient, type GrpcClient } from "@shopmesh/kit";
import { freePort, healthClient, repoRoot, startChild, type Child } from "@shopmesh/testkit";
import type { Shop } from "./shop.js";

export interface OrderReplica {
  readonly address: string;
  readonly client: GrpcClient<typeof OrderService>;
  /** What the process wrote (its last 20 kB), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** Starts another order process with the shop's order environment (and `extraEnv` on top) until SERVING. */
export async function startOrderReplica(shop: Shop, extraEnv: Record<string, string> = {}): Promise<OrderReplica> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const entry = join(repoRoot, "services", "order", "dist", "src", "main.js");
  const env = { PATH: process.env["PATH"] ?? "", ...shop.orderEnv, ...extraEnv, GRPC_PORT: String(port) };
  const child: Child = startChild(process.execPath, [entry], { env, cwd: repoRoot });
  const health = healthClient(address);
  try {
    await health.waitFor("SERVING", "", 20_000);
  } catch (err) {
    await child.kill();
    throw new Error(`the order replica did not start: ${String(err)}\n${child.output().slice(-3_000)}`);
  } finally {
    health.close();
  }
  const client = createGrpcClient(OrderService, address, { defaultTimeoutMs: 20_000 });
  return {
    address,
    client,
    output: child.output,
    async stop() {
      client.close();
      await child.stop(3_000);
    },
  };
}
