// A service on a Unix socket, as in the mesh (where only its sidecar can reach it): clients and
// health reach it by `unix:` address, a socket file a dead process left is reused, and a socket a
// live server still answers on is not taken over.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { captureLogs, healthClient } from "@shopmesh/testkit";
import { createGrpcClient, parseEnv, register, serverConfig, serverEnvShape, startService } from "../src/index.js";
import { createDemoCatalog, newObserved } from "./fixtures/demo-services.js";

const dir = mkdtempSync(join(tmpdir(), "kit-socket-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = (socket: string) =>
  startService("demo", serverConfig(parseEnv(serverEnvShape, { GRPC_SOCKET: socket })), captureLogs().logger, async () => ({
    services: [register(CatalogService, createDemoCatalog(newObserved()))],
  }));

describe("a server on a Unix socket", () => {
  it("answers calls and health at its unix: address", async () => {
    const socket = join(dir, "catalog.sock");
    const running = await start(socket);
    const client = createGrpcClient(CatalogService, running.server.address, { defaultTimeoutMs: 5_000 });
    const health = healthClient(running.server.address);
    try {
      expect(running.server.address).toBe(`unix:${socket}`);
      expect((await client.getProduct({ id: "p-1" })).product?.name).toBe("Mesh mug");
      await health.waitFor("SERVING");
    } finally {
      health.close();
      client.close();
      await running.stop();
    }
  });

  it("binds over a socket file left behind, and refuses one a live server answers on", async () => {
    const socket = join(dir, "stale.sock");
    writeFileSync(socket, "");
    const running = await start(socket);
    try {
      await expect(start(socket)).rejects.toThrow(`another server is listening on ${socket}`);
    } finally {
      await running.stop();
    }
  });

  it("needs a port or a socket", () => {
    expect(() => serverConfig(parseEnv(serverEnvShape, {}))).toThrow("GRPC_PORT must be set");
  });
});
