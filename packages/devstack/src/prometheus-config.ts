// The Prometheus scrape config of a running shop (`make up` writes it to .run/prometheus.yml):
// every Envoy's admin /stats/prometheus and every service replica's own /metrics, each target
// labelled with its workload and its service, so a Prometheus on this host can scrape the mesh.
import { stringify } from "yaml";
import type { Topology } from "@shopmesh/mesh";

interface StaticConfig {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

interface ScrapeConfig {
  readonly job_name: string;
  readonly metrics_path: string;
  readonly static_configs: readonly StaticConfig[];
}

const target = (port: number): string => `127.0.0.1:${port}`;

/** The scrape configs: job `envoy` (the gateway and every sidecar) and job `services` (every replica). */
export function scrapeConfigs(topology: Topology): ScrapeConfig[] {
  const envoys: StaticConfig[] = [
    { targets: [target(topology.gateway.adminPort)], labels: { workload: "gateway", service: "gateway" } },
    ...topology.services.flatMap((s) =>
      s.replicas.map((r) => ({ targets: [target(r.adminPort)], labels: { workload: `sidecar-${r.name}`, service: s.name } })),
    ),
  ];
  const services = topology.services.flatMap((s) =>
    s.replicas.map((r) => ({ targets: [target(r.metricsPort)], labels: { workload: r.name, service: s.name } })),
  );
  return [
    { job_name: "envoy", metrics_path: "/stats/prometheus", static_configs: envoys },
    { job_name: "services", metrics_path: "/metrics", static_configs: services },
  ];
}

/** prometheus.yml for `topology`'s ports: `prometheus --config.file=.run/prometheus.yml`. */
export function prometheusConfig(topology: Topology): string {
  const header = [
    "# Written by `make up` for the ports it runs the shop on; rewritten each time. Scrape it with",
    "#   prometheus --config.file=.run/prometheus.yml",
    "# or copy its scrape_configs into your own prometheus.yml (Prometheus must run on this host: every",
    "# target listens on 127.0.0.1).",
  ];
  const body = stringify({ global: { scrape_interval: "15s" }, scrape_configs: scrapeConfigs(topology) });
  return `${header.join("\n")}\n${body}`;
}
