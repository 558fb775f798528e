// The containers' health check (deploy/images/grpc-health.mjs) against a real grpc.health.v1
// server: exit 0 only while the service it names is SERVING.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { repoRoot } from "../src/index.js";
import { run } from "./tools.js";

const script = join(repoRoot, "deploy", "images", "grpc-health.mjs");
const service = "shop.catalog.v1.CatalogService";

describe("the containers' gRPC health check", () => {
  const server = new grpc.Server();
  const health = new HealthImplementation({ "": "SERVING", [service]: "SERVING" });
  let address = "";
  beforeAll(async () => {
    health.addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());

  it("passes while the service is SERVING and fails once it is NOT_SERVING", async () => {
    expect((await run(process.execPath, [script, address, service])).code).toBe(0);
    health.setStatus(service, "NOT_SERVING");
    const failing = await run(process.execPath, [script, address, service]);
    expect([failing.code, failing.stderr.trim()]).toEqual([1, `${service}: NOT_SERVING`]);
  });

  it("fails when nothing answers", async () => {
    const result = await run(process.execPath, [script, "127.0.0.1:1", service]);
    expect(result.code).toBe(1);
  });
});
