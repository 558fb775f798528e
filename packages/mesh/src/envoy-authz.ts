// Authorization at each callee's sidecar, from the topology: per method, only the callers the
// topology names (by the SPIFFE ID their certificate proves); anything else is refused with
// PERMISSION_DENIED before the service sees it. And the user's identity header is passed on
// only from peers trusted to carry it: the gateway, and services that act for a user.
import { identityHeader } from "@shopmesh/kit";
import type { ServiceNode, Topology } from "./topology.js";

type Json = Record<string, unknown>;

/** Server reflection (v1 and v1alpha): public, so grpcurl can list and describe the shop. */
export const reflectionPaths = [
  "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
  "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
];
const healthPaths = ["/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"];

const exactPaths = (paths: readonly string[]): Json[] => paths.map((path) => ({ url_path: { path: { exact: path } } }));
const principal = (identity: string): Json => ({ authenticated: { principal_name: { exact: identity } } });

/** Who may call which of `callee`'s methods: one RBAC policy per caller. */
export function calleePolicies(topology: Topology, callee: ServiceNode): Record<string, Json> {
  const methodPaths = (methods: readonly string[]) => methods.map((m) => `/${callee.service}/${m}`);
  const policies: Record<string, Json> = {
    // Every workload's Envoy health-checks the endpoints it routes to.
    "health-checks": {
      permissions: exactPaths(healthPaths),
      principals: [{ authenticated: { principal_name: { prefix: `spiffe://${topology.trustDomain}/` } } }],
    },
  };
  const edge = [
    ...methodPaths([...callee.publicMethods, ...callee.userMethods]),
    ...(topology.gateway.reflectionVia === callee.name ? reflectionPaths : []),
  ];
  if (edge.length > 0) policies["gateway"] = { permissions: exactPaths(edge), principals: [principal(topology.gateway.identity)] };
  for (const caller of topology.services) {
    const grant = caller.calls.find((g) => g.callee === callee.name);
    if (grant) policies[caller.name] = { permissions: exactPaths(methodPaths(grant.methods)), principals: [principal(caller.identity)] };
  }
  return policies;
}

export function rbacFilter(topology: Topology, callee: ServiceNode): Json {
  return {
    name: "envoy.filters.http.rbac",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
      rules: { action: "ALLOW", policies: calleePolicies(topology, callee) },
    },
  };
}

/** The peers whose calls to `callee` may carry a user's identity. */
export function identityCarriers(topology: Topology, callee: ServiceNode): string[] {
  const callers = topology.services.filter((s) => s.actsForUser && s.calls.some((g) => g.callee === callee.name));
  return [topology.gateway.identity, ...callers.map((s) => s.identity)];
}

/**
 * Removes the identity header unless the peer's certificate names a trusted carrier: the
 * header_mutation filter runs for every other peer (the matcher skips it for the carriers).
 */
export function identityGuardFilter(topology: Topology, callee: ServiceNode): Json {
  const skip = {
    name: "skip",
    typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.common.matcher.action.v3.SkipFilter" },
  };
  return {
    name: "identity-guard",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.common.matching.v3.ExtensionWithMatcher",
      extension_config: {
        name: "envoy.filters.http.header_mutation",
        typed_config: {
          "@type": "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
          mutations: { request_mutations: [{ remove: identityHeader }] },
        },
      },
      xds_matcher: {
        matcher_tree: {
          input: {
            name: "peer-uri-san",
            typed_config: { "@type": "type.googleapis.com/envoy.extensions.matching.common_inputs.ssl.v3.UriSanInput" },
          },
          exact_match_map: { map: Object.fromEntries(identityCarriers(topology, callee).map((id) => [id, { action: skip }])) },
        },
      },
    },
  };
}
