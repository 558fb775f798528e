// Per-method gRPC statistics in every Envoy of the mesh: calls by method and gRPC status, and a
// latency histogram, under `cluster.<cluster>.grpc.<service>.<method>.*` (`make stat` reads them,
// Prometheus scrapes them from each admin port's /stats/prometheus).
import { shopFiles } from "@shopmesh/kit";
import type { ServiceNode } from "./topology.js";

type Json = Record<string, unknown>;

/** Methods of one service that get stats of their own. */
export interface StatsFor {
  readonly service: ServiceNode;
  readonly methods: readonly string[];
}

/**
 * The grpc_stats filter for calls to `callees` (`methods` of each). Only the methods named get stats
 * of their own, so the number of stats never grows with the paths clients make up; any other path
 * is counted without its name.
 */
export function grpcStatsFilter(callees: readonly StatsFor[]): Json {
  return {
    name: "envoy.filters.http.grpc_stats",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig",
      individual_method_stats_allowlist: {
        // Envoy refuses a service with no method named.
        services: callees
          .filter(({ methods }) => methods.length > 0)
          .map(({ service, methods }) => ({ name: service.service, method_names: [...methods] })),
      },
      // The upstream_rq_time histogram per method: what the latency percentiles come from.
      enable_upstream_stats: true,
    },
  };
}

/** Every method of `service`'s contract: what its own sidecar's ingress keeps stats of (denied calls included). */
export function contractMethods(service: ServiceNode): string[] {
  const contract = shopFiles.flatMap((f) => f.services).find((d) => d.typeName === service.service);
  if (contract === undefined) throw new Error(`no contract defines ${service.service}`);
  return contract.methods.map((m) => m.name);
}

/**
 * Latency bucket bounds in ms: fine enough below a second that percentiles read from them say something,
 * and up to an hour so that every call (streams too) falls under a bound and the last bucket counts them all.
 */
const latencyBucketsMs = [
  1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 2_000, 3_000, 5_000, 10_000, 30_000, 60_000, 600_000,
  3_600_000,
];

/** A gRPC service name (`shop.catalog.v1.CatalogService`) and a method name in a stat name. */
const grpcServicePattern = "[a-z][a-z0-9]*(?:\\.[a-z][a-z0-9]*)*\\.[A-Z][A-Za-z0-9]*";
const grpcMethodPattern = "[A-Z][A-Za-z0-9]*";

/** Envoy's default tags that apply to what the mesh's Envoys do, each with Envoy's own regex. */
const defaultTags = [
  "envoy.cluster_name",
  "envoy.listener_address",
  "envoy.http_conn_manager_prefix",
  "envoy.http_user_agent",
  "envoy.ssl_cipher",
  "envoy.response_code",
  "envoy.response_code_class",
  "envoy.virtual_host",
  "envoy.virtual_cluster",
  "envoy.route",
  "envoy.worker_id",
  "envoy.rds_route_config",
  "envoy.local_http_ratelimit_prefix",
  "envoy.rbac_prefix",
  "envoy.rbac_policy_name",
];

/**
 * The bootstrap's stats_config. Envoy's default gRPC tags read `cluster.x.grpc.shop.catalog.…` as
 * service "shop" and method "catalog" (and a custom tag cannot replace a default one), so the
 * defaults are named one by one without those two, and two tags take the whole gRPC service name
 * and the method instead: Prometheus gets
 * `envoy_cluster_grpc_total{envoy_cluster_name, envoy_grpc_bridge_service, envoy_grpc_bridge_method}`.
 */
export function statsConfig(): Json {
  return {
    use_all_default_tags: false,
    stats_tags: [
      ...defaultTags.map((tag_name) => ({ tag_name })),
      { tag_name: "envoy.grpc_bridge_service", regex: `^cluster\\.[^.]+\\.grpc\\.((${grpcServicePattern})\\.)${grpcMethodPattern}\\.` },
      { tag_name: "envoy.grpc_bridge_method", regex: `^cluster\\.[^.]+\\.grpc\\.${grpcServicePattern}\\.((${grpcMethodPattern})\\.)` },
    ],
    histogram_bucket_settings: [{ match: { suffix: "upstream_rq_time" }, buckets: latencyBucketsMs }],
  };
}
