// Tracing in every Envoy of the mesh: a span for each request through the gateway's and each
// sidecar's ingress and egress HTTP connection managers, sent to Zipkin. The context travels in B3
// headers (x-b3-traceid, x-b3-spanid, x-b3-parentspanid, x-b3-sampled), which Envoy's Zipkin tracer
// reads and writes natively and the services' OpenTelemetry B3 propagator reads and writes too: one
// format end to end, so every hop's span joins the same tree. The gateway starts the trace.
import { localAddressing, type Addressing } from "./addressing.js";
import type { Topology } from "./topology.js";

type Json = Record<string, unknown>;

/** The cluster every Envoy sends its spans to. */
export const zipkinCluster = "zipkin";

/** Zipkin's span endpoint; the services' exporter posts to the same. */
export const zipkinSpansPath = "/api/v2/spans";

/** The HCM `tracing` block: `sampling` of the requests that start a trace here, spans to Zipkin. */
function hcmTracing(sampling: number, tags: Readonly<Record<string, string>>): Json {
  return {
    random_sampling: { value: sampling * 100 },
    custom_tags: Object.entries(tags).map(([tag, value]) => ({ tag, literal: { value } })),
    provider: {
      name: "envoy.tracers.zipkin",
      typed_config: {
        "@type": "type.googleapis.com/envoy.config.trace.v3.ZipkinConfig",
        collector_cluster: zipkinCluster,
        collector_endpoint: zipkinSpansPath,
        collector_endpoint_version: "HTTP_JSON",
        // 128-bit ids, as OpenTelemetry makes them.
        trace_id_128bit: true,
        // A span of its own for each hop (not one shared by the caller's and the callee's side), so
        // the tree shows gateway → sidecar ingress → service → sidecar egress → next ingress.
        shared_span_context: false,
      },
    },
  };
}

/** Plain HTTP/1.1 to Zipkin (on loopback, or a name in containers); Envoy buffers spans and drops them while it is away. */
function collectorCluster(topology: Topology, addressing: Addressing): Json {
  return {
    name: zipkinCluster,
    type: addressing.peerClusterType,
    connect_timeout: "1s",
    load_assignment: {
      cluster_name: zipkinCluster,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: addressing.zipkin(topology) } }] }],
    },
  };
}

/**
 * Spans named after the method their route is for ("/shop.order.v1.OrderService/PlaceOrder"),
 * not after the Host header Envoy would use otherwise. A sidecar's ingress routes every path the
 * same way: its span takes the name the caller's Envoy passes on (x-envoy-decorator-operation) or
 * the Host header, and carries the path in its tags either way.
 */
function withOperationNames(routeConfig: Json): Json {
  const hosts = (routeConfig["virtual_hosts"] as Json[]).map((host) => ({
    ...host,
    routes: (host["routes"] as Json[]).map((route) => {
      const path = (route["match"] as Json)["path"];
      return typeof path === "string" && route["route"] !== undefined ? { ...route, decorator: { operation: path } } : route;
    }),
  }));
  return { ...routeConfig, virtual_hosts: hosts };
}

/** Which side of a workload a listener is: a span's kind in Zipkin (SERVER for inbound, CLIENT for outbound). */
const directions: Readonly<Record<string, "INBOUND" | "OUTBOUND">> = {
  gateway: "INBOUND",
  "gateway-tls": "INBOUND",
  ingress: "INBOUND",
  egress: "OUTBOUND",
};

/**
 * `config` (a gateway's or a sidecar's bootstrap) with tracing on every HTTP connection manager.
 * `serviceName` names the Envoy in Zipkin (its node cluster: "gateway", "sidecar-order"); each
 * span is tagged with the workload (the replica) and the listener it went through.
 */
export function withTracing(
  config: Json,
  topology: Topology,
  serviceName: string,
  workload: string,
  addressing: Addressing = localAddressing,
): Json {
  const resources = config["static_resources"] as { listeners: Json[]; clusters: Json[] };
  const listeners = resources.listeners.map((listener) => {
    const name = String(listener["name"]);
    const tags = { "shop.workload": workload, "shop.listener": name };
    const chains = (listener["filter_chains"] as Json[]).map((chain) => ({
      ...chain,
      filters: (chain["filters"] as Json[]).map((filter) => {
        if (filter["name"] !== "envoy.filters.network.http_connection_manager") return filter;
        const manager = filter["typed_config"] as Json;
        const routeConfig = withOperationNames(manager["route_config"] as Json);
        return { ...filter, typed_config: { ...manager, route_config: routeConfig, tracing: hcmTracing(topology.tracing.sampling, tags) } };
      }),
    }));
    const direction = directions[name];
    return { ...listener, filter_chains: chains, ...(direction === undefined ? {} : { traffic_direction: direction }) };
  });
  return {
    ...config,
    // Envoy's Zipkin tracer names the local service after the node's cluster.
    node: { ...(config["node"] as Json), cluster: serviceName },
    static_resources: { ...resources, listeners, clusters: [...resources.clusters, collectorCluster(topology, addressing)] },
  };
}
