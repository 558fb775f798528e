// `make stat` and the mesh's Prometheus targets, against a real mesh: a known number of calls
// through the gateway shows up as those counts, that success rate and a latency for the right
// service and method, summed over the service's replicas; every scrape target answers.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import {
  goldenMetrics,
  readEnvoyGrpcStats,
  readMesh,
  renderGoldenMetrics,
  scrapeConfigs,
  serviceInfos,
  shopEnvoys,
  shopState,
  writeState,
  type GoldenMetrics,
} from "@shopmesh/devstack";
import { eventually, rejection, repoRoot } from "@shopmesh/testkit";
import { startTestMesh, type TestMesh } from "./support.js";

let mesh: TestMesh;

beforeAll(async () => {
  // Two catalogs (their sidecars' counts are summed); one of each caller, to keep the mesh light.
  mesh = await startTestMesh({ replicas: { catalog: 2, cart: 1, order: 1 } });
  // What make up leaves for make stat, naming this process as the one that runs the shop.
  writeState(mesh.shop.dirs.runDir, shopState(process.pid, mesh.shop));
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
}, 60_000);

/** `make stat`'s own process; resolves once it exits. `during` runs once its window has begun. */
function statCli(args: readonly string[], during: () => Promise<void> = async () => undefined) {
  const child = spawn(process.execPath, [join(repoRoot, "packages", "devstack", "dist", "src", "stat.js"), ...args]);
  let stdout = "";
  let stderr = "";
  let started: Promise<void> | undefined;
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (started === undefined && stderr.includes("counting calls")) started = during();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => {
      void Promise.resolve(started).then(() => resolve({ code, stdout, stderr }), reject);
    });
  });
}

describe("make stat", () => {
  it("reports the calls of a window per service and method, with their success rate and latency", async () => {
    const catalog = mesh.grpc(CatalogService);
    const { products } = await catalog.listProducts({ pageSize: 1 });
    const id = products[0]?.id ?? "";
    const envoys = shopEnvoys(shopState(process.pid, mesh.shop).components);
    const before = await readMesh(envoys, readEnvoyGrpcStats);

    const found = 6;
    const missing = 4;
    for (let i = 0; i < found; i++) await catalog.getProduct({ id });
    for (let i = 0; i < missing; i++) expect((await rejection(catalog.getProduct({ id: `missing-${i}` }))).code).toBe(Code.NotFound);

    // Counters are live; latency buckets catch up at Envoy's next stats flush (5 s).
    const golden = await eventually(
      async (): Promise<GoldenMetrics | undefined> => {
        const after = goldenMetrics(serviceInfos(mesh.shop.topology), envoys, before, await readMesh(envoys, readEnvoyGrpcStats));
        const timed = after.services.find((s) => s.service === "catalog")?.inbound.find((m) => m.method === "GetProduct")?.p99Ms;
        return timed === undefined ? undefined : after;
      },
      { timeoutMs: 15_000, what: "GetProduct's latency in the stats" },
    );
    const catalogMetrics = golden.services.find((s) => s.service === "catalog");
    expect(catalogMetrics?.replicasSeen).toBe(2);
    const getProduct = catalogMetrics?.inbound.find((m) => m.method === "GetProduct");
    expect(getProduct).toMatchObject({ requests: found + missing, successes: found, failures: { [Code.NotFound]: missing } });
    expect(getProduct?.successRate).toBeCloseTo(found / (found + missing));
    expect(getProduct?.p50Ms).toBeGreaterThan(0);
    expect(getProduct?.p99Ms).toBeGreaterThanOrEqual(getProduct?.p50Ms ?? 0);
    // Nothing else was called in the window.
    expect(catalogMetrics?.inbound.filter((m) => m.requests > 0).map((m) => m.method)).toEqual(["GetProduct"]);
    expect(golden.services.filter((s) => s.service !== "catalog").flatMap((s) => s.inbound.filter((m) => m.requests > 0))).toEqual([]);

    const table = renderGoldenMetrics(golden);
    expect(table).toMatch(/^ {2}GetProduct +10 +\S+ +60\.0% +\S+ms +\S+ms +\S+ms$/m);
    expect(table).toContain("failed: NOT_FOUND 4");
    expect(table).toContain("cart (1 replica): no calls");
    expect(Math.max(...table.split("\n").map((line) => line.length))).toBeLessThanOrEqual(80);
  }, 60_000);

  it("as a command: counts what happens in its window, and a service's calls out with NAME", async () => {
    const catalog = mesh.grpc(CatalogService);
    const runDir = ["--run-dir", mesh.shop.dirs.runDir];
    const listed = await statCli([...runDir, "--window", "3", "catalog"], async () => {
      for (let i = 0; i < 5; i++) await catalog.listProducts({ pageSize: 2 });
    });
    expect(listed.stderr).toContain("counting calls for 3 s");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ {2}ListProducts +5 +\S+ +100% /m);
    // With NAME, idle methods show too.
    expect(listed.stdout).toMatch(/^ {2}SearchProducts +0 +- +- +- +- +-$/m);

    const order = await statCli([...runDir, "--window", "0.5", "order"]);
    expect(order.code).toBe(0);
    expect(order.stdout).toContain("order calls out (at its sidecars' egress)");
    expect(order.stdout).toMatch(/^ {2}→ inventory ReserveStock +0 /m);
  }, 60_000);

  it("says so when the shop is not running", async () => {
    const empty = mkdtempSync(join(tmpdir(), "shopmesh-stat-"));
    try {
      const result = await statCli(["--run-dir", empty]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("shopmesh is not running");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("the Prometheus scrape targets", () => {
  it("every Envoy and every replica answers in the Prometheus text format; the replicas count their RPCs", async () => {
    const catalog = mesh.grpc(CatalogService);
    await rejection(catalog.getProduct({ id: "missing-for-prometheus" }));
    const [envoyJob, serviceJob] = scrapeConfigs(mesh.shop.topology);
    for (const { targets } of envoyJob?.static_configs ?? []) {
      const text = await (await fetch(`http://${targets[0]}${envoyJob?.metrics_path}`)).text();
      expect(text).toContain("# TYPE envoy_cluster_upstream_rq_total counter");
    }
    // The gateway's per-method stats carry the whole gRPC service name and the method as labels.
    const gateway = await (await fetch(`http://127.0.0.1:${mesh.shop.topology.gateway.adminPort}/stats/prometheus`)).text();
    const notFoundAtGateway = gateway
      .split("\n")
      .find(
        (line) =>
          line.startsWith("envoy_cluster_grpc_5{") &&
          [
            'envoy_cluster_name="catalog_ingress"',
            'envoy_grpc_bridge_service="shop.catalog.v1.CatalogService"',
            'envoy_grpc_bridge_method="GetProduct"',
          ].every((label) => line.includes(label)),
      );
    expect(Number(notFoundAtGateway?.split(" ").at(-1))).toBe(5);
    let notFound = 0;
    for (const { targets, labels } of serviceJob?.static_configs ?? []) {
      const text = await (await fetch(`http://${targets[0]}${serviceJob?.metrics_path}`)).text();
      expect(text).toContain(`service="${labels["service"]}"`);
      const line = text.split("\n").find((l) => l.startsWith("grpc_server_handled_total{") && l.includes('grpc_code="NOT_FOUND"'));
      if (labels["service"] === "catalog" && line !== undefined) notFound += Number(line.split(" ").at(-1));
    }
    // Every NOT_FOUND of this file's calls, counted by whichever catalog replica served it.
    expect(notFound).toBe(5);
  }, 30_000);
});
