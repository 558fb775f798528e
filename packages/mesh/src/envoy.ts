// Envoy v3 static configs for the mesh: a sidecar per service and the edge gateway. Only current
// v3 fields; `envoy --mode validate` checks every generated file in `make test`.
// Every hop between Envoys is mutual TLS (envoy-tls.ts) and every callee's sidecar authorizes
// its callers per method (envoy-authz.ts). A service listens on a Unix socket only its sidecar
// reaches, and reaches its callees through its sidecar's egress socket.
import { identityHeader } from "@shopmesh/kit";
import { identityGuardFilter, rbacFilter, reflectionPaths } from "./envoy-authz.js";
import { contractMethods, grpcStatsFilter, statsConfig } from "./envoy-stats.js";
import { faultFilters, faultRuntime } from "./envoy-faults.js";
import { edgeServerTls, meshClientTls, meshServerTls } from "./envoy-tls.js";
import { localAddressing, type Addressing } from "./addressing.js";
import type { MeshFiles } from "./mesh-files.js";
import type { Replica, ServiceNode, TokenBucket, Topology } from "./topology.js";

type Json = Record<string, unknown>;

const hcmType = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const routerFilter = {
  name: "envoy.filters.http.router",
  typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" },
};

const retryBackOff = { base_interval: "0.05s", max_interval: "0.25s" };

/** Who this Envoy is; file-based SDS needs a node id and cluster. */
function node(workload: string): Json {
  return { id: workload, cluster: "shopmesh" };
}

function admin(addressing: Addressing, port: number): Json {
  return { address: addressing.admin(addressing.port("admin", port)) };
}

function accessLog(path: string): Json[] {
  return [
    {
      name: "envoy.access_loggers.file",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
        path,
        log_format: {
          json_format: {
            time: "%START_TIME%",
            method: "%REQ(:PATH)%",
            grpc_status: "%GRPC_STATUS(SNAKE_STRING)%",
            http_status: "%RESPONSE_CODE%",
            flags: "%RESPONSE_FLAGS%",
            duration_ms: "%DURATION%",
            upstream: "%UPSTREAM_HOST%",
            request_id: "%REQ(X-REQUEST-ID)%",
            attempts: "%UPSTREAM_REQUEST_ATTEMPT_COUNT%",
          },
        },
      },
    },
  ];
}

interface ClusterOptions {
  readonly healthService?: string;
  /** Circuit breakers and outlier detection, for clusters of another workload's sidecar. */
  readonly guarded?: boolean;
  /** mTLS to the endpoint (health checks included). */
  readonly transportSocket?: Json;
  /** STRICT_DNS when the addresses are names. */
  readonly type?: "STATIC" | "STRICT_DNS";
}

/**
 * A cluster speaking HTTP/2 to its endpoints (a service's local socket, or every replica's
 * sidecar), each actively health-checked over grpc.health.v1.
 */
function grpcCluster(name: string, addresses: readonly Json[], options: ClusterOptions = {}): Json {
  return {
    name,
    type: options.type ?? "STATIC",
    ...(options.transportSocket ? { transport_socket: options.transportSocket } : {}),
    connect_timeout: "0.25s",
    typed_extension_protocol_options: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: addresses.map((address) => ({ endpoint: { address } })) }],
    },
    health_checks: [
      {
        // A slow check alone does not take a live endpoint out: only three missed checks in a row of
        // 2 s each do, and on 2 busy cores a single one can take over a second. A dead replica is
        // avoided long before that: its sidecar refuses the call at once, marked unsent, and the
        // caller retries another replica (serviceRoutes); with two replicas or more, outlier
        // detection also ejects it after five such answers.
        timeout: "2s",
        interval: "1s",
        no_traffic_interval: "1s",
        unhealthy_threshold: 3,
        healthy_threshold: 1,
        grpc_health_check: { service_name: options.healthService ?? "" },
      },
    ],
    // When no endpoint is healthy, fail fast (UNAVAILABLE) rather than routing to one anyway.
    common_lb_config: { healthy_panic_threshold: { value: 0 } },
    ...(options.guarded
      ? {
          circuit_breakers: {
            thresholds: [
              {
                priority: "DEFAULT",
                max_connections: 1024,
                max_pending_requests: 1024,
                max_requests: 1024,
                // Retries in flight: up to half the calls in flight, and at least 32. When a replica
                // dies every call it held is retried at once; a fixed small cap failed some of them.
                retry_budget: { budget_percent: { value: 50 }, min_retry_concurrency: 32 },
              },
            ],
          },
          outlier_detection: {
            consecutive_5xx: 5,
            consecutive_gateway_failure: 3,
            // Timeouts (and connect failures) are Envoy's own, not the replica's answer, and never
            // eject it: on a busy machine the last replica standing may be slow, and ejecting it
            // would leave none. A slow replica is the health checker's to take out.
            split_external_local_origin_errors: true,
            enforcing_consecutive_local_origin_failure: 0,
            interval: "1s",
            base_ejection_time: "2s",
            // Never all replicas at once for a burst of errors: with two, one always takes calls.
            max_ejection_percent: 50,
          },
        }
      : {}),
  };
}

/**
 * Set by a callee's sidecar on its own answer when the call never reached the service (its socket
 * refused the connection, or the service is draining): safe to retry on another replica, even for
 * a method that is not idempotent.
 */
export const unsentHeader = "x-shopmesh-unsent";

/**
 * Routes to `methods` of one service, each its own route. Every call is retried, on another replica
 * when there is one, when it never reached the service (connect failure, refused stream, or the
 * callee's sidecar says so); methods safe to retry are also retried on UNAVAILABLE and on a reset
 * (a replica killed mid-call). Streams get no timeout and no retry. Any other path has no route.
 */
function serviceRoutes(callee: ServiceNode, cluster: string, methods: readonly string[]): Json[] {
  return methods.map((method) => {
    const streaming = callee.streaming.includes(method);
    const unsent = "connect-failure,refused-stream,retriable-headers";
    const idempotent = callee.idempotent.includes(method);
    const retryOn = idempotent ? `${unsent},unavailable,reset` : unsent;
    const retryPolicy = {
      retry_on: retryOn,
      // Five attempts for a call safe to repeat: a read against a service failing half its
      // attempts then fails 3% of the time (0.5⁵), not 12.5%; the route timeout still bounds it
      // and the retry budget keeps an outage from doubling the load. Three for the rest, which
      // is retried only when it provably never reached a service.
      num_retries: idempotent ? 4 : 2,
      retry_back_off: retryBackOff,
      retriable_headers: [{ name: unsentHeader, present_match: true }],
      retry_host_predicate: [
        {
          name: "envoy.retry_host_predicates.previous_hosts",
          typed_config: { "@type": "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate" },
        },
      ],
      host_selection_retry_max_attempts: 3,
    };
    return {
      match: { path: `/${callee.service}/${method}` },
      route: {
        cluster,
        ...(streaming ? streamTimeouts : { timeout: callee.timeout, retry_policy: { ...retryPolicy, ...tryTimeout(callee, method) } }),
      },
    };
  });
}

/**
 * Holds a unary answer at the callee's sidecar until its trailers are in, then passes it on whole.
 * A replica that dies half-way through writing an answer then looks to the caller like a reset
 * before any answer, which the caller retries on another replica for an idempotent method,
 * instead of a started answer cut short, which nobody can retry. Streams pass straight through.
 */
const wholeAnswers = {
  name: "envoy.filters.http.lua",
  typed_config: {
    "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua",
    // body() suspends the response (headers included) until the whole body and its trailers are in.
    default_source_code: { inline_string: "function envoy_on_response(response) response:body() end" },
  },
};
const healthWatchPath = "/grpc.health.v1.Health/Watch";
const wholeAnswersOff: Json = { "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.LuaPerRoute", disabled: true };

/**
 * An idempotent call's attempt that outlasts the callee's `tryTimeout` is given up and retried on
 * another replica: a slow replica costs a call that long, not its whole delay. (Outlier detection
 * reacts to errors, not latency, and does not count these timeouts; see grpcCluster.)
 */
function tryTimeout(callee: ServiceNode, method: string): Json {
  return callee.tryTimeout !== undefined && callee.idempotent.includes(method) ? { per_try_timeout: callee.tryTimeout } : {};
}

const localRetry: Json = { retry_on: "refused-stream,connect-failure", num_retries: 1, retry_back_off: retryBackOff };

/** What a sidecar's ingress answers itself when its service did not take the call: marked unsent. */
const unsentReplies: Json = {
  mappers: [
    {
      // UF: the socket refused the connection; UH: the service is not healthy (draining or down).
      filter: { response_flag_filter: { flags: ["UF", "UH"] } },
      headers_to_add: [{ header: { key: unsentHeader, value: "1" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }],
    },
  ],
};

function httpManager(statPrefix: string, logPath: string, routes: Json[], filters: Json[], options: MeshOptions, extra: Json = {}): Json {
  return {
    name: "envoy.filters.network.http_connection_manager",
    typed_config: {
      "@type": hcmType,
      stat_prefix: statPrefix,
      // Resets a request quiet this long on a route that does not exempt it (streams do).
      stream_idle_timeout: options.streamIdleTimeout ?? defaultStreamIdleTimeout,
      // A stream has no idle timeout, so a peer that vanished without closing its connection
      // (a laptop asleep, a NAT that forgot it) is found by pings instead: unanswered for 10 s,
      // the connection and its streams are closed. HTTP/2 only; gRPC-web over HTTP/1.1 has no ping.
      http2_protocol_options: { connection_keepalive: { interval: "30s", timeout: "10s" } },
      access_log: accessLog(logPath),
      route_config: {
        name: statPrefix,
        // Retried requests say which attempt they are (x-envoy-attempt-count); a fault scenario
        // may fail exactly the first attempt (envoy-faults.ts).
        virtual_hosts: [{ name: statPrefix, domains: ["*"], routes, include_request_attempt_count: true }],
      },
      http_filters: [...filters, routerFilter],
      ...extra,
    },
  };
}

/** Envoy's own default, said out loud: a request or stream with no bytes either way this long is reset. */
const defaultStreamIdleTimeout = "300s";

/**
 * A route to a streaming method: no deadline, and no idle timeout either. A Subscribe stream may
 * wait for its next notification for hours; Envoy would reset it after the connection manager's
 * `stream_idle_timeout` (5 minutes) of quiet otherwise.
 */
const streamTimeouts = { timeout: "0s", idle_timeout: "0s" };

export interface MeshOptions {
  /** Plaintext between Envoys and no authorization: only to measure what mTLS costs (the bench). */
  readonly insecure?: boolean;
  /** Every connection manager's `stream_idle_timeout` (default 300s); tests shorten it to show streams outlive it. */
  readonly streamIdleTimeout?: string;
  /** Where Envoys listen and what they connect to: one machine (the default) or containers (addressing.ts). */
  readonly addressing?: Addressing;
}

/**
 * A service's sidecar. Ingress: mTLS from the mesh, callers authorized per method, the identity
 * header kept only from trusted carriers, then the service's Unix socket. Egress: a Unix socket
 * the service calls out through, routing only the methods the topology grants, over mTLS to each
 * callee's sidecar (which must prove it is that callee).
 */
export function sidecarConfig(
  topology: Topology,
  service: ServiceNode,
  replica: Replica,
  files: MeshFiles,
  options: MeshOptions = {},
): Json {
  const addressing = options.addressing ?? localAddressing;
  const accessLogPath = addressing.accessLog(`${files.logDir}/sidecar-${replica.name}-access.log`);
  const ingressFilters = [
    grpcStatsFilter([{ service, methods: contractMethods(service) }]),
    ...(options.insecure ? [] : [identityGuardFilter(topology, service), rbacFilter(topology, service)]),
    // After authorization: a scenario makes the service fail, not the mesh's checks.
    ...faultFilters(topology, service),
  ];
  const listeners: Json[] = [
    {
      name: "ingress",
      address: addressing.listen(addressing.port("ingress", replica.ingressPort)),
      filter_chains: [
        {
          ...(options.insecure ? {} : { transport_socket: meshServerTls(files, replica.name) }),
          filters: [
            httpManager(
              "ingress",
              accessLogPath,
              // A stream the service refused (it was closing the connection) never ran: try once more,
              // on a new connection; if the service is gone, that attempt ends UF, marked unsent.
              [
                // Streams (the service's own, server reflection's, health's Watch) flow as they come.
                ...[...service.streaming.map((method) => `/${service.service}/${method}`), ...reflectionPaths, healthWatchPath].map(
                  (path) => ({
                    match: { path },
                    route: { cluster: "local_service", ...streamTimeouts, retry_policy: localRetry },
                    typed_per_filter_config: { [wholeAnswers.name]: wholeAnswersOff },
                  }),
                ),
                { match: { prefix: "/" }, route: { cluster: "local_service", timeout: "0s", retry_policy: localRetry } },
              ],
              [...ingressFilters, wholeAnswers],
              options,
              { codec_type: "HTTP2", local_reply_config: unsentReplies },
            ),
          ],
        },
      ],
    },
  ];
  const clusters: Json[] = [grpcCluster("local_service", [addressing.localService(files, replica)])];
  const grants = service.calls.map((grant) => {
    const callee = topology.services.find((s) => s.name === grant.callee);
    if (callee === undefined) throw new Error(`unknown callee ${grant.callee}`);
    return { callee, methods: grant.methods };
  });
  if (grants.length > 0) {
    listeners.push({
      name: "egress",
      address: addressing.egress(files, replica),
      filter_chains: [
        {
          filters: [
            withoutUnsentMarker(
              httpManager(
                "egress",
                accessLogPath,
                [...grants.flatMap(({ callee, methods }) => serviceRoutes(callee, `${callee.name}_ingress`, methods)), notGranted],
                [grpcStatsFilter(grants.map(({ callee, methods }) => ({ service: callee, methods })))],
                options,
                { codec_type: "HTTP2" },
              ),
            ),
          ],
        },
      ],
    });
    for (const { callee } of grants) {
      clusters.push(
        grpcCluster(`${callee.name}_ingress`, addressing.peers(callee), {
          healthService: callee.service,
          guarded: true,
          ...peerType(addressing),
          ...(options.insecure ? {} : { transportSocket: meshClientTls(files, replica.name, callee.identity) }),
        }),
      );
    }
  }
  return {
    node: node(replica.name),
    admin: admin(addressing, replica.adminPort),
    stats_config: statsConfig(),
    layered_runtime: faultRuntime(),
    static_resources: { listeners, clusters },
  };
}

/**
 * The unsent marker stays between the two Envoys of one hop: a service that passed a callee's
 * answer on as its own must not make its own caller think that call never reached it.
 */
function withoutUnsentMarker(manager: Json): Json {
  const config = (manager["typed_config"] as Json)["route_config"] as { virtual_hosts: Json[] };
  for (const host of config.virtual_hosts) host["response_headers_to_remove"] = [unsentHeader];
  return manager;
}

/** Every replica's sidecar is an endpoint: callers balance across the healthy ones (a name, resolved, gives them all). */
function peerType(addressing: Addressing): Pick<ClusterOptions, "type"> {
  return addressing.peerClusterType === "STATIC" ? {} : { type: addressing.peerClusterType };
}

/** Any call the topology does not grant this service: PERMISSION_DENIED from its own sidecar. */
const notGranted: Json = {
  match: { prefix: "/" },
  direct_response: { status: 403, body: { inline_string: "the mesh does not let this service call that method" } },
};

/** A token bucket at the edge; past it the call gets RESOURCE_EXHAUSTED at once. */
function rateLimit(bucket: TokenBucket): Json {
  const all = { default_value: { numerator: 100, denominator: "HUNDRED" }, runtime_key: "edge_rate_limit_enabled" };
  return {
    "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
    stat_prefix: "edge_rate_limit",
    token_bucket: { max_tokens: bucket.burst, tokens_per_fill: bucket.perSecond, fill_interval: "1s" },
    filter_enabled: all,
    filter_enforced: all,
    rate_limited_as_resource_exhausted: true,
  };
}

/** Each route its own bucket: the topology's for its method, the default for the rest. */
function withRateLimits(topology: Topology, routes: Json[]): Json[] {
  const limits = topology.gateway.rateLimits;
  return routes.map((route) => {
    const path = ((route["match"] as Json)["path"] as string | undefined)?.slice(1);
    const bucket = (path !== undefined ? limits.methods[path] : undefined) ?? limits.default;
    return { ...route, typed_per_filter_config: { "envoy.filters.http.local_ratelimit": rateLimit(bucket) } };
  });
}

/**
 * The edge gateway: gRPC and gRPC-web on one port; JWT verification; the verified user id passed
 * on in the identity header (any client copy removed first); routes to each service's sidecar for
 * its public and user methods only; server reflection through one sidecar.
 */
export function gatewayConfig(topology: Topology, files: MeshFiles, options: MeshOptions = {}): Json {
  const addressing = options.addressing ?? localAddressing;
  const publicPaths = topology.services.flatMap((s) => s.publicMethods.map((m) => `/${s.service}/${m}`));
  const routes: Json[] = withRateLimits(topology, [
    ...reflectionPaths.map((path) => ({
      match: { path },
      route: { cluster: `${topology.gateway.reflectionVia}_ingress`, ...streamTimeouts },
    })),
    ...topology.services.flatMap((s) => serviceRoutes(s, `${s.name}_ingress`, [...s.publicMethods, ...s.userMethods])),
    // Any other path: a route of its own, so it has a bucket too (its token is checked before the 404).
    { match: { prefix: "/" }, direct_response: { status: 404 } },
  ]);
  const filters: Json[] = [
    {
      name: "envoy.filters.http.header_mutation",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
        mutations: { request_mutations: [{ remove: identityHeader }] },
      },
    },
    {
      name: "envoy.filters.http.grpc_web",
      typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb" },
    },
    // After grpc_web, so that gRPC-web calls are counted as the gRPC calls they become.
    grpcStatsFilter(topology.services.map((s) => ({ service: s, methods: [...s.publicMethods, ...s.userMethods] }))),
    { name: "envoy.filters.http.cors", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors" } },
    // Before the token check, so a flood of bad tokens is throttled too; buckets are per route.
    {
      name: "envoy.filters.http.local_ratelimit",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
        stat_prefix: "edge_rate_limit",
      },
    },
    {
      name: "envoy.filters.http.jwt_authn",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
        providers: {
          shop: {
            issuer: topology.gateway.jwt.issuer,
            audiences: [topology.gateway.jwt.audience],
            local_jwks: { filename: files.jwksPath },
            from_headers: [{ name: "authorization", value_prefix: "Bearer " }],
            claim_to_headers: [{ header_name: identityHeader, claim_name: "sub" }],
            // A token seen before skips its ES256 signature check (the one costly step); its issuer,
            // audience and expiry are checked again on every call all the same.
            jwt_cache_config: { jwt_cache_size: 100 },
          },
        },
        // CORS preflights never get here: the cors filter above answers them itself.
        rules: [
          ...[...reflectionPaths, ...publicPaths].map((path) => ({ match: { path } })),
          { match: { prefix: "/" }, requires: { provider_name: "shop" } },
        ],
      },
    },
  ];
  const cors = {
    "envoy.filters.http.cors": {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy",
      allow_origin_string_match: [{ safe_regex: { regex: "^https?://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?$" } }],
      allow_methods: "POST, OPTIONS",
      allow_headers: "authorization, content-type, x-grpc-web, x-user-agent, grpc-timeout, connect-protocol-version",
      expose_headers: "grpc-status, grpc-message, grpc-status-details-bin",
      max_age: "600",
    },
  };
  const manager = httpManager("gateway", addressing.accessLog(`${files.logDir}/gateway-access.log`), routes, filters, options, {
    codec_type: "AUTO",
    // Envoy makes the request id; services log it with every RPC.
    generate_request_id: true,
    // Match routes and JWT rules on one canonical form of the path ("/a//b", "/a/../b", %2F).
    normalize_path: true,
    merge_slashes: true,
    path_with_escaped_slashes_action: "REJECT_REQUEST",
  });
  const config = (manager["typed_config"] as Json)["route_config"] as { virtual_hosts: Json[] };
  const host = config.virtual_hosts[0];
  if (host) host["typed_per_filter_config"] = cors;
  // Between Envoys only: clients never see it.
  withoutUnsentMarker(manager);
  return {
    node: node("gateway"),
    admin: admin(addressing, topology.gateway.adminPort),
    stats_config: statsConfig(),
    static_resources: {
      listeners: [
        {
          name: "gateway",
          address: addressing.listen(addressing.port("gateway", topology.gateway.port)),
          filter_chains: [{ filters: [manager] }],
        },
        {
          name: "gateway-tls",
          address: addressing.listen(addressing.port("gatewayTls", topology.gateway.tlsPort)),
          filter_chains: [{ transport_socket: edgeServerTls(files), filters: [manager] }],
        },
      ],
      clusters: topology.services.map((s) =>
        grpcCluster(`${s.name}_ingress`, addressing.peers(s), {
          healthService: s.service,
          guarded: true,
          ...peerType(addressing),
          ...(options.insecure ? {} : { transportSocket: meshClientTls(files, "gateway", s.identity) }),
        }),
      ),
    },
  };
}
