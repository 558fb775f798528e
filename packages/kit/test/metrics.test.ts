// A service's own /metrics (METRICS_PORT): every RPC counted by method and gRPC status, with its
// handling time, in the Prometheus text format; and no metrics server unless asked for.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { captureLogs } from "@shopmesh/testkit";
import {
  createGrpcClient,
  parseEnv,
  register,
  serverConfig,
  serverEnvShape,
  startService,
  type GrpcClient,
  type RunningService,
} from "../src/index.js";
import { createDemoCatalog, demoProduct, newObserved } from "./fixtures/demo-services.js";

const config = (env: Record<string, string>) => serverConfig(parseEnv(serverEnvShape, { GRPC_PORT: "0", ...env }));
const demo = () => register(CatalogService, createDemoCatalog(newObserved()));

/** The value of the sample `name{labels…}` in a Prometheus text exposition (labels in any order). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = new Map([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}

describe("a service's /metrics", () => {
  let running: RunningService;
  let catalog: GrpcClient<typeof CatalogService>;
  let url: string;

  beforeAll(async () => {
    running = await startService("catalog", config({ METRICS_PORT: "0" }), captureLogs().logger, async () => ({ services: [demo()] }));
    catalog = createGrpcClient(CatalogService, running.server.address, { defaultTimeoutMs: 5_000 });
    url = `http://127.0.0.1:${running.metricsPort}/metrics`;
  });
  afterAll(async () => {
    catalog.close();
    await running.stop();
  });

  it("counts RPCs by method and gRPC code, and times them", async () => {
    for (let i = 0; i < 3; i++) await catalog.getProduct({ id: demoProduct.id });
    for (let i = 0; i < 2; i++) await expect(catalog.getProduct({ id: "missing" })).rejects.toThrow();
    await catalog.listProducts({});
    const response = await fetch(url);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    const of = (method: string, code: string) => ({
      service: "catalog",
      grpc_service: "shop.catalog.v1.CatalogService",
      grpc_method: method,
      grpc_code: code,
    });
    expect(sample(text, "grpc_server_handled_total", of("GetProduct", "OK"))).toBe(3);
    expect(sample(text, "grpc_server_handled_total", of("GetProduct", "NOT_FOUND"))).toBe(2);
    expect(sample(text, "grpc_server_handled_total", of("ListProducts", "OK"))).toBe(1);
    expect(sample(text, "grpc_server_handled_total", of("SearchProducts", "OK"))).toBeUndefined();
    expect(sample(text, "grpc_server_handling_seconds_count", of("GetProduct", "NOT_FOUND"))).toBe(2);
    expect(sample(text, "grpc_server_handling_seconds_bucket", { ...of("GetProduct", "OK"), le: "+Inf" })).toBe(3);
    // Health checks are not the service's RPCs.
    expect(text).not.toContain("grpc.health");
  });

  it("answers nothing but GET /metrics", async () => {
    expect((await fetch(url.replace("/metrics", "/"))).status).toBe(404);
  });

  it("is off unless METRICS_PORT is set, and a bad METRICS_PORT is named", async () => {
    const plain = await startService("catalog", config({}), captureLogs().logger, async () => ({ services: [demo()] }));
    expect(plain.metricsPort).toBeUndefined();
    await plain.stop();
    expect(() => config({ METRICS_PORT: "http" })).toThrow("METRICS_PORT must be an integer 0..65535");
  });
});
