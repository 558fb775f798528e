// Golden metrics from two readings of the Envoys' per-method stats: summed over a service's
// replicas, per window, with percentiles read from the latency buckets.
import { describe, expect, it } from "@jest/globals";
import { countsKey, parseEnvoyGrpcStats, type EnvoyReading, type MethodCounts } from "../src/envoy-grpc-stats.js";
import { goldenMetrics, quantile, type MeshEnvoy, type MeshReading } from "../src/golden-metrics.js";

const catalog = "shop.catalog.v1.CatalogService";
const bounds = [1, 5, 10, 50, 100];

function counts(cluster: string, service: string, method: string, total: number, ok: number, latency: number[]): MethodCounts {
  const codes: Record<number, number> = { 0: ok };
  if (total > ok) codes[5] = total - ok;
  const cumulative = (i: number): number => latency.slice(0, i + 1).reduce((a, b) => a + b, 0);
  return {
    cluster,
    service,
    method,
    total,
    success: ok,
    codes,
    latency: bounds.map((upperBoundMs, i) => ({ upperBoundMs, cumulative: cumulative(i) })),
  };
}

const reading = (atMs: number, envoys: Record<string, MethodCounts[]>): MeshReading => ({
  atMs,
  envoys: new Map(
    Object.entries(envoys).map(([name, list]): [string, EnvoyReading] => [name, new Map(list.map((c) => [countsKey(c), c]))]),
  ),
});

const envoys: MeshEnvoy[] = [
  { name: "sidecar-catalog", service: "catalog", adminPort: 1 },
  { name: "sidecar-catalog-2", service: "catalog", adminPort: 2 },
  { name: "sidecar-cart", service: "cart", adminPort: 3 },
];
const services = [
  { name: "catalog", service: catalog, methods: ["GetProduct", "ListProducts"], calls: [] },
  { name: "cart", service: "shop.cart.v1.CartService", methods: ["GetCart"], calls: [{ callee: "catalog", methods: ["GetProduct"] }] },
];

describe("golden metrics", () => {
  it("sum a service's replicas over the window, and its calls out per callee method", () => {
    const before = reading(0, {
      "sidecar-catalog": [counts("local_service", catalog, "GetProduct", 10, 10, [10])],
      "sidecar-catalog-2": [],
      "sidecar-cart": [counts("catalog_ingress", catalog, "GetProduct", 4, 4, [4])],
    });
    const after = reading(10_000, {
      "sidecar-catalog": [counts("local_service", catalog, "GetProduct", 30, 25, [10, 10, 10])],
      // A stat that appears between the readings counts from zero.
      "sidecar-catalog-2": [counts("local_service", catalog, "GetProduct", 20, 20, [0, 20])],
      "sidecar-cart": [counts("catalog_ingress", catalog, "GetProduct", 10, 9, [4, 6])],
    });
    const golden = goldenMetrics(services, envoys, before, after);
    const [catalogMetrics, cartMetrics] = golden.services;
    const getProduct = catalogMetrics?.inbound.find((m) => m.method === "GetProduct");
    expect(golden.windowSeconds).toBe(10);
    expect(catalogMetrics?.replicasSeen).toBe(2);
    expect(getProduct).toMatchObject({ requests: 40, successes: 35, requestsPerSecond: 4, failures: { 5: 5 } });
    expect(getProduct?.successRate).toBeCloseTo(35 / 40);
    // 40 calls in the window: 30 took 1..5 ms, 10 took 5..10 ms; the median is in 1..5 ms.
    expect(getProduct?.p50Ms).toBeGreaterThan(1);
    expect(getProduct?.p50Ms).toBeLessThanOrEqual(5);
    expect(getProduct?.p99Ms).toBeGreaterThan(5);
    expect(catalogMetrics?.inbound.find((m) => m.method === "ListProducts")).toMatchObject({ requests: 0, successRate: undefined });
    // cart's own calls to catalog, as its egress saw them; not counted as catalog's.
    expect(cartMetrics?.outbound).toEqual([
      expect.objectContaining({ service: "catalog", method: "GetProduct", requests: 6, successes: 5 }),
    ]);
    expect(cartMetrics?.inbound).toEqual([expect.objectContaining({ method: "GetCart", requests: 0 })]);
  });

  it("count a restarted Envoy's stats from zero and name an Envoy that did not answer", () => {
    const before = reading(0, { "sidecar-catalog": [counts("local_service", catalog, "GetProduct", 100, 100, [100])] });
    const after = reading(2_000, {
      "sidecar-catalog": [counts("local_service", catalog, "GetProduct", 3, 3, [3])],
      "sidecar-cart": [],
    });
    const golden = goldenMetrics(services, envoys, before, after);
    expect(golden.services[0]?.inbound[0]).toMatchObject({ requests: 3, requestsPerSecond: 1.5 });
    expect(golden.missing).toEqual(["sidecar-catalog-2", "sidecar-cart"]);
  });

  it("read percentiles from cumulative buckets as histogram_quantile does", () => {
    const buckets = [
      { upperBoundMs: 10, cumulative: 50 },
      { upperBoundMs: 20, cumulative: 100 },
    ];
    expect(quantile(buckets, 0.5)).toBe(10);
    expect(quantile(buckets, 0.75)).toBe(15);
    expect(quantile([{ upperBoundMs: 10, cumulative: 0 }], 0.5)).toBeUndefined();
  });
});

describe("an Envoy's per-method stats", () => {
  it("are read from /stats?format=json, the whole gRPC service name kept", () => {
    const reading = parseEnvoyGrpcStats({
      stats: [
        { name: "cluster.local_service.grpc.shop.catalog.v1.CatalogService.GetProduct.total", value: 7 },
        { name: "cluster.local_service.grpc.shop.catalog.v1.CatalogService.GetProduct.success", value: 5 },
        { name: "cluster.local_service.grpc.shop.catalog.v1.CatalogService.GetProduct.5", value: 2 },
        // Calls of no method the filter names (health checks): not a method of the service.
        { name: "cluster.local_service.grpc.total", value: 99 },
        {
          histograms: [
            {
              name: "cluster.local_service.grpc.shop.catalog.v1.CatalogService.GetProduct.upstream_rq_time",
              buckets: [
                { upper_bound: 5, cumulative: 7 },
                { upper_bound: 1, cumulative: 3 },
              ],
            },
          ],
        },
      ],
    });
    expect([...reading.values()]).toEqual([
      {
        cluster: "local_service",
        service: catalog,
        method: "GetProduct",
        total: 7,
        success: 5,
        codes: { 5: 2 },
        latency: [
          { upperBoundMs: 1, cumulative: 3 },
          { upperBoundMs: 5, cumulative: 7 },
        ],
      },
    ]);
  });
});
