// Per-method gRPC statistics in every Envoy of the mesh: calls by method and gRPC status, and a
// latency histogram, under `cluster.<cluster>.grpc.<service>.<method>.*` (`make stat` reads them,
// Prometheus scrapes them from each admin port's /stats/prometheus).
import { shopFiles } from "@shopmesh/kit";
import type { ServiceNode } from "./topology.js";

type Json = Record<string, unknown>;

/** A service's methods as Envoy names them in its stats: dots in the service name become underscores. */
export function statsServiceName(service: ServiceNode): string {
  return service.service.replaceAll(".", "_");
}

/** Methods of one service that get stats of their own. */
export interface StatsFor {
  readonly service: ServiceNode;
  readonly methods: readonly string[];
}

/**
 * The grpc_stats filter for calls to `callees` (`methods` of each). Only the methods named get stats
 * of their own, so the number of stats never grows with the paths clients make up; any other path
 * is counted without its name. Dots in service names are replaced so that a stat name splits
 * unambiguously into cluster, service, method and stat.
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
      replace_dots_in_grpc_service_name: true,
    },
  };
}

/** Every method of `service`'s contract: what its own sidecar's ingress keeps stats of (denied calls included). */
export function contractMethods(service: ServiceNode): string[] {
  const contract = shopFiles.flatMap((f) => f.services).find((d) => d.typeName === service.service);
  if (contract === undefined) throw new Error(`no contract defines ${service.service}`);
  return contract.methods.map((m) => m.name);
}
