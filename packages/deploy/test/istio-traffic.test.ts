// Istio's traffic policy is our sidecars': each DestinationRule has the limits and outlier detection
// of the callers' Envoy clusters, and each VirtualService route the timeout and retries of the
// callers' Envoy routes, method by method (read from the generated Envoy configs, not the topology).
import { describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../src/index.js";
import { type Doc, field, list, yamlDocuments } from "./documents.js";

const istio = (file: string): Doc[] => yamlDocuments(readFileSync(join(repoRoot, "deploy", "k8s", "overlays", "istio", file), "utf8"));
const envoyDir = join(repoRoot, "deploy", "k8s", "overlays", "sidecars", "envoy");
const envoyConfigs = readdirSync(envoyDir).map((f) => JSON.parse(readFileSync(join(envoyDir, f), "utf8")) as unknown);

/** Every cluster `<service>_ingress` and every route to one, across the sidecars' and the gateway's configs. */
function envoyClusters(): Map<string, unknown> {
  const clusters = new Map<string, unknown>();
  for (const config of envoyConfigs) {
    for (const cluster of list(field(config, "static_resources.clusters"))) {
      const name = String(field(cluster, "name"));
      if (name.endsWith("_ingress")) clusters.set(name.slice(0, -"_ingress".length), cluster);
    }
  }
  return clusters;
}

function envoyRoutes(): Map<string, unknown> {
  const routes = new Map<string, unknown>();
  for (const config of envoyConfigs) {
    for (const listener of list(field(config, "static_resources.listeners"))) {
      for (const chain of list(field(listener, "filter_chains"))) {
        for (const filter of list(field(chain, "filters"))) {
          for (const host of list(field(filter, "typed_config.route_config.virtual_hosts"))) {
            for (const route of list(field(host, "routes"))) {
              const path = field(route, "match.path");
              if (typeof path === "string" && String(field(route, "route.cluster")).endsWith("_ingress")) routes.set(path, route);
            }
          }
        }
      }
    }
  }
  return routes;
}

describe("Istio's traffic policy", () => {
  it("limits connections and ejects outliers as the sidecars' clusters do", () => {
    const clusters = envoyClusters();
    const rules = istio("destination-rules.yaml");
    expect(rules.length).toBe(clusters.size);
    for (const rule of rules) {
      const cluster = clusters.get(String(field(rule, "metadata.name")));
      const thresholds = field(cluster, "circuit_breakers.thresholds.0");
      const pool = field(rule, "spec.trafficPolicy.connectionPool");
      const outliers = field(rule, "spec.trafficPolicy.outlierDetection");
      expect([
        field(pool, "tcp.maxConnections"),
        field(pool, "tcp.connectTimeout"),
        field(pool, "http.http1MaxPendingRequests"),
        field(pool, "http.http2MaxRequests"),
        field(outliers, "consecutive5xxErrors"),
        field(outliers, "consecutiveGatewayErrors"),
        field(outliers, "splitExternalLocalOriginErrors"),
        field(outliers, "interval"),
        field(outliers, "baseEjectionTime"),
        field(outliers, "maxEjectionPercent"),
      ]).toEqual([
        field(thresholds, "max_connections"),
        field(cluster, "connect_timeout"),
        field(thresholds, "max_pending_requests"),
        field(thresholds, "max_requests"),
        field(cluster, "outlier_detection.consecutive_5xx"),
        field(cluster, "outlier_detection.consecutive_gateway_failure"),
        field(cluster, "outlier_detection.split_external_local_origin_errors"),
        field(cluster, "outlier_detection.interval"),
        field(cluster, "outlier_detection.base_ejection_time"),
        field(cluster, "outlier_detection.max_ejection_percent"),
      ]);
    }
  });

  it("times out and retries each method as the sidecars' and the gateway's routes do", () => {
    const routes = envoyRoutes();
    const istioRoutes = [...istio("virtual-services.yaml"), ...istio("ingress.yaml").filter((d) => d["kind"] === "VirtualService")].flatMap(
      (vs) => list(field(vs, "spec.http")).filter((r) => field(r, "match.0.uri.exact") !== undefined),
    );
    expect(istioRoutes.length).toBeGreaterThan(30);
    for (const route of istioRoutes) {
      const path = String(field(route, "match.0.uri.exact"));
      const envoy = routes.get(path);
      expect([path, envoy !== undefined]).toEqual([path, true]);
      const streaming = field(envoy, "route.retry_policy") === undefined;
      const envoyRetries = streaming ? 0 : field(envoy, "route.retry_policy.num_retries");
      expect([path, field(route, "timeout"), field(route, "retries.attempts"), field(route, "retries.perTryTimeout")]).toEqual([
        path,
        field(envoy, "route.timeout"),
        envoyRetries,
        field(envoy, "route.retry_policy.per_try_timeout"),
      ]);
      // Istio cannot match our sidecars' "unsent" header; every other condition is the same.
      const envoyOn = String(field(envoy, "route.retry_policy.retry_on") ?? "")
        .split(",")
        .filter((c) => c !== "" && c !== "retriable-headers");
      const istioOn = String(field(route, "retries.retryOn") ?? "")
        .split(",")
        .filter((c) => c !== "");
      expect([path, istioOn.sort()]).toEqual([path, envoyOn.sort()]);
    }
  });
});
