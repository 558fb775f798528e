// The scrape config `make up` writes: every Envoy (gateway and each replica's sidecar) on its admin
// port's /stats/prometheus, and every replica's own /metrics, labelled by workload and service.
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { loadTopology } from "@shopmesh/mesh";
import { repoRoot } from "@shopmesh/launcher";
import { parse } from "yaml";
import { prometheusConfig } from "../src/prometheus-config.js";

interface Parsed {
  scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[]; labels: Record<string, string> }[] }[];
}

describe("the Prometheus scrape config", () => {
  const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"), { base: 9000, replicas: { catalog: 3, order: 1 } });
  const config = parse(prometheusConfig(topology)) as Parsed;
  const job = (name: string) => config.scrape_configs.find((j) => j.job_name === name);
  const replicas = topology.services.flatMap((s) => s.replicas.map((r) => ({ service: s.name, replica: r })));

  it("names every Envoy with its admin port", () => {
    const envoy = job("envoy");
    expect(envoy?.metrics_path).toBe("/stats/prometheus");
    expect(envoy?.static_configs).toEqual([
      { targets: ["127.0.0.1:9001"], labels: { workload: "gateway", service: "gateway" } },
      ...replicas.map(({ service, replica }) => ({
        targets: [`127.0.0.1:${replica.adminPort}`],
        labels: { workload: `sidecar-${replica.name}`, service },
      })),
    ]);
    expect(envoy?.static_configs.map((c) => c.labels["workload"])).toEqual(
      expect.arrayContaining(["sidecar-catalog", "sidecar-catalog-2", "sidecar-catalog-3", "sidecar-order"]),
    );
  });

  it("names every replica of every service with its own metrics port", () => {
    const services = job("services");
    expect(services?.metrics_path).toBe("/metrics");
    expect(services?.static_configs).toEqual(
      replicas.map(({ service, replica }) => ({
        targets: [`127.0.0.1:${replica.metricsPort}`],
        labels: { workload: replica.name, service },
      })),
    );
    // catalog's three, cart's two (the topology's), one of each other service.
    expect(services?.static_configs).toHaveLength(topology.services.length + 3);
    expect(new Set(services?.static_configs.map((c) => c.targets[0])).size).toBe(topology.services.length + 3);
  });
});
