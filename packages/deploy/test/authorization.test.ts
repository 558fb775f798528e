// The three renderings of who may call what agree, for every pair of workloads: the local mesh's
// Envoy RBAC (envoy-authz.ts), the Kubernetes NetworkPolicies (which pods may connect) and Istio's
// AuthorizationPolicies (which principal may call which method). Each is read back from what it
// renders, independently of the others.
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { calleePolicies, loadTopology } from "@shopmesh/mesh";
import { ingressName, principal, repoRoot } from "../src/index.js";
import { type Doc, field, list, yamlDocuments } from "./documents.js";

const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"));
const k8s = (path: string): Doc[] => yamlDocuments(readFileSync(join(repoRoot, "deploy", "k8s", path), "utf8"));

/** "caller -> callee /path" for every call the local RBAC allows (health checks aside: every workload may make them). */
function localCalls(): Set<string> {
  const names = new Map<string, string>([
    [topology.gateway.identity, "gateway"],
    ...topology.services.map((s) => [s.identity, s.name] as [string, string]),
  ]);
  const calls = new Set<string>();
  for (const callee of topology.services) {
    for (const [name, policy] of Object.entries(calleePolicies(topology, callee))) {
      if (name === "health-checks") continue;
      for (const p of list(field(policy, "principals"))) {
        const caller = names.get(String(field(p, "authenticated.principal_name.exact")));
        for (const permission of list(field(policy, "permissions")))
          calls.add(`${caller} -> ${callee.name} ${field(permission, "url_path.path.exact")}`);
      }
    }
  }
  return calls;
}

/** The same from the Istio overlay's AuthorizationPolicies (principals are ServiceAccounts; the ingress's is the gateway). */
function istioCalls(): Set<string> {
  const accounts = new Map<string, string>([
    [principal(topology, ingressName), "gateway"],
    ...topology.services.map((s) => [principal(topology, s.name), s.name] as [string, string]),
  ]);
  const calls = new Set<string>();
  for (const policy of k8s("overlays/istio/authorization-policies.yaml")) {
    expect(field(policy, "spec.action")).toBe("ALLOW");
    const callee = podName(field(policy, "spec.selector"));
    for (const rule of list(field(policy, "spec.rules"))) {
      const callers = list(field(rule, "from"))
        .flatMap((f) => list(field(f, "source.principals")))
        .map((p) => accounts.get(String(p)));
      const paths = list(field(rule, "to")).flatMap((t) => list(field(t, "operation.paths")));
      for (const caller of callers) for (const path of paths) calls.add(`${caller} -> ${callee} ${path}`);
    }
  }
  return calls;
}

const podName = (selector: unknown): string | undefined => {
  const labels = field(selector, "matchLabels") as Record<string, string> | undefined;
  if (labels === undefined) return undefined;
  if (labels["istio"] === "shop-ingress") return "gateway";
  return labels["app.kubernetes.io/name"];
};

/** "caller -> callee" for every pair the NetworkPolicies let connect: the callee admits the caller and the caller may reach the callee. */
function networkCalls(overlay: "sidecars" | "istio"): Set<string> {
  const policies = [
    ...k8s("base/network-policies.yaml"),
    ...k8s(overlay === "sidecars" ? "overlays/sidecars/gateway.yaml" : "overlays/istio/ingress.yaml"),
  ].filter((d) => d["kind"] === "NetworkPolicy");
  const workloads = new Set(["gateway", ...topology.services.map((s) => s.name)]);
  const admits = new Set<string>();
  const reaches = new Set<string>();
  for (const policy of policies) {
    const target = podName(field(policy, "spec.podSelector"));
    if (target === undefined) continue;
    for (const rule of list(field(policy, "spec.ingress")))
      for (const peer of list(field(rule, "from"))) admits.add(`${podName(field(peer, "podSelector"))} -> ${target}`);
    for (const rule of list(field(policy, "spec.egress")))
      for (const peer of list(field(rule, "to"))) reaches.add(`${target} -> ${podName(field(peer, "podSelector"))}`);
  }
  const pairs = [...admits].filter((pair) => reaches.has(pair));
  return new Set(pairs.filter((pair) => pair.split(" -> ").every((name) => workloads.has(name))));
}

const pairsOf = (calls: Set<string>): Set<string> => new Set([...calls].map((call) => call.split(" ").slice(0, 3).join(" ")));

describe("who may call what", () => {
  it("is the same per method in the local RBAC and Istio's AuthorizationPolicies", () => {
    const local = localCalls();
    expect(local.size).toBeGreaterThan(20);
    expect([...istioCalls()].sort()).toEqual([...local].sort());
  });

  it.each(["sidecars", "istio"] as const)("is the same per pair of workloads in the %s overlay's NetworkPolicies", (overlay) => {
    const expected = pairsOf(localCalls());
    expect(expected).toContain("order -> payment");
    expect(expected).not.toContain("cart -> payment");
    expect([...networkCalls(overlay)].sort()).toEqual([...expected].sort());
  });
});
