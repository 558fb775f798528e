// The failure scenarios of deploy/faults.yaml as Envoy HTTP fault filters on a sidecar's ingress, each
// off until its runtime keys are set in the sidecar's admin runtime layer (POST /runtime_modify).
import { faultHeader, faultRuntimeKeys, type FaultScenario } from "./faults.js";
import type { ServiceNode, Topology } from "./topology.js";

type Json = Record<string, unknown>;

const off = { numerator: 0, denominator: "HUNDRED" };

/**
 * One fault filter per scenario that hits `service`, matched on the gRPC paths of its methods. Its
 * percentages are 0 in the config; the runtime keys override them, the delay and the gRPC code.
 */
export function faultFilters(topology: Topology, service: ServiceNode): Json[] {
  return topology.faults.filter((s) => s.services.includes(service.name)).map((s) => faultFilter(s, service));
}

function faultFilter(scenario: FaultScenario, service: ServiceNode): Json {
  const keys = faultRuntimeKeys(scenario.name);
  const literal = (text: string): string => text.replaceAll(".", "\\.");
  const methods = scenario.methods === undefined ? "[^/]+" : `(${scenario.methods.join("|")})`;
  const health = scenario.health ? `|/${literal("grpc.health.v1.Health")}/(Check|Watch)` : "";
  const path = { safe_regex: { regex: `^(/${literal(service.service)}/${methods}${health})$` } };
  const marked = scenario.markedFirstAttempt
    ? [
        { name: faultHeader, string_match: { exact: scenario.name } },
        // Retried requests say which attempt they are (the routes' include_request_attempt_count).
        { name: "x-envoy-attempt-count", string_match: { exact: "1" } },
      ]
    : [];
  return {
    name: `shopmesh.fault.${scenario.name}`,
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
      headers: [{ name: ":path", string_match: path }, ...marked],
      ...(scenario.abort
        ? {
            abort: { grpc_status: scenario.abort.code, percentage: off },
            abort_percent_runtime: keys.abortPercent,
            abort_grpc_status_runtime: keys.grpcStatus,
          }
        : {}),
      ...(scenario.delay
        ? {
            delay: { fixed_delay: `${scenario.delay.ms / 1000}s`, percentage: off },
            delay_percent_runtime: keys.delayPercent,
            delay_duration_runtime: keys.delayMs,
          }
        : {}),
    },
  };
}

/** A runtime whose admin layer /runtime_modify writes: what switches the scenarios; empty at start. */
export function faultRuntime(): Json {
  return { layers: [{ name: "admin", admin_layer: {} }] };
}
