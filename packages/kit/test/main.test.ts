// The kit's process bootstrap, run as a real process: what an operator sees on a bad config,
// and a clean exit on SIGTERM.
import { describe, expect, it } from "@jest/globals";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { Code } from "@connectrpc/connect";
import { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { startChild, grpcurl, rejection } from "@shopmesh/testkit";
import { createGrpcClient } from "../src/index.js";

// The compiled fixture: `make test` builds with tsc -b before Jest runs.
const serveDemo = fileURLToPath(new URL("../dist/test/fixtures/serve-demo.js", import.meta.url));

function run(env: Record<string, string>) {
  return startChild(process.execPath, [serveDemo], { env: { PATH: process.env["PATH"] ?? "", ...env } });
}

describe("a service process", () => {
  it("stops at start with one line naming each bad variable", async () => {
    const child = run({ GRPC_PORT: "http", LOG_LEVEL: "loud" });
    const [code] = (await once(child.process, "exit")) as [number];
    expect(code).toBe(1);
    const lines = child.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^config: GRPC_PORT must be an integer 0\.\.65535 \(got "http"\); LOG_LEVEL must be one of .* \(got "loud"\)$/,
    );
  });

  it("names a missing variable", async () => {
    const child = run({});
    await once(child.process, "exit");
    expect(child.output().trim()).toBe("config: GRPC_PORT must be set to a port number 0..65535 (0 picks a free port) (not set)");
  });

  it("serves, logs JSON, and exits 0 soon after SIGTERM", async () => {
    const child = run({ GRPC_PORT: "0", SHUTDOWN_GRACE_MS: "1000" });
    let address: string | undefined;
    const deadline = Date.now() + 10_000;
    while (address === undefined && Date.now() < deadline) {
      const listening = child
        .output()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { msg: string; address?: string })
        .find((l) => l.msg === "listening");
      address = listening?.address;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    const call = await grpcurl([address ?? "", "shop.catalog.v1.CatalogService/GetProduct"], { data: { id: "p-1" } });
    expect(call.stdout).toContain("MUG-001");

    // Streams whose deadline has passed on arrival, to a handler that would fail anyway: the
    // process must answer each with an error, and live on.
    const notifications = createGrpcClient(NotificationService, address ?? "", { defaultTimeoutMs: 1 });
    for (let i = 0; i < 40; i++) {
      const err = await rejection(
        (async () => {
          for await (const _ of notifications.subscribe({ afterId: "3" }, { timeoutMs: 1 })) {
            // nothing arrives
          }
        })(),
      );
      expect([Code.DeadlineExceeded, Code.Unauthenticated]).toContain(err.code);
    }
    notifications.close();
    expect(child.process.exitCode).toBeNull();
    expect((await grpcurl([address ?? "", "shop.catalog.v1.CatalogService/GetProduct"], { data: { id: "p-1" } })).stdout).toContain(
      "MUG-001",
    );

    const started = Date.now();
    child.process.kill("SIGTERM");
    const [code] = (await once(child.process, "exit")) as [number];
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(child.output()).toContain('"msg":"shutting down"');
  });
});
