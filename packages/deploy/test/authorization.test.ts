// The three renderings of who may call what agree, for every pair of workloads: the local mesh's
// Envoy RBAC (envoy-authz.ts), the Kubernetes NetworkPolicies (which pods may connect) and Istio's
// AuthorizationPolicies (which principal may call which method). Each is read back from what it
// renders, independently of the others. The same for the broker: exactly the services that publish
// or consume events (and the broker's setup) may connect, in the NetworkPolicies, in Istio and as
// users of the broker's own configuration.
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

/**
 * "caller -> callee" for every pair of pods the NetworkPolicies let connect: the callee admits the
 * caller and the caller may reach the callee.
 */
function networkPairs(overlay: "sidecars" | "istio"): string[] {
  const policies = [
    ...k8s("base/network-policies.yaml"),
    ...k8s(overlay === "sidecars" ? "overlays/sidecars/gateway.yaml" : "overlays/istio/ingress.yaml"),
  ].filter((d) => d["kind"] === "NetworkPolicy");
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
  return [...admits].filter((pair) => reaches.has(pair));
}

/** The same between the gateway and the services. */
function networkCalls(overlay: "sidecars" | "istio"): Set<string> {
  const workloads = new Set(["gateway", ...topology.services.map((s) => s.name)]);
  return new Set(networkPairs(overlay).filter((pair) => pair.split(" -> ").every((name) => workloads.has(name))));
}

/** Read from the topology itself: the services that publish or consume events, and the setup (as the mesh's admin). */
const brokerClients = [
  ...topology.services.filter((s) => s.publishes.length + s.consumes.length > 0).map((s) => s.name),
  "broker-setup",
].sort();

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

describe("who may reach the broker", () => {
  it.each(["sidecars", "istio"] as const)(
    "is exactly the publishers, the consumers and the setup in the %s overlay's NetworkPolicies",
    (overlay) => {
      expect(brokerClients).toEqual(["broker-setup", "inventory", "notification", "order"]);
      const clients = networkPairs(overlay)
        .filter((pair) => pair.endsWith(" -> broker"))
        .map((pair) => pair.split(" -> ")[0])
        .sort();
      expect(clients).toEqual(brokerClients);
      // Only on the client port: the monitoring port is the broker's own.
      const admitting = k8s("base/network-policies.yaml").filter((d) => podName(field(d, "spec.podSelector")) === "broker");
      const ports = admitting.flatMap((p) =>
        list(field(p, "spec.ingress")).flatMap((r) => list(field(r, "ports")).map((port) => field(port, "port"))),
      );
      expect(ports).toEqual([4222]);
    },
  );

  it("is exactly the same principals in Istio's AuthorizationPolicy, on the client port", () => {
    const policies = k8s("overlays/istio/broker.yaml").filter((d) => d["kind"] === "AuthorizationPolicy");
    expect(policies.map((p) => [podName(field(p, "spec.selector")), field(p, "spec.action")])).toEqual([["broker", "ALLOW"]]);
    const rules = list(field(policies[0], "spec.rules"));
    const principals = rules.flatMap((r) => list(field(r, "from")).flatMap((f) => list(field(f, "source.principals")))).map(String);
    expect(principals.sort()).toEqual(brokerClients.map((name) => principal(topology, name)).sort());
    expect(rules.flatMap((r) => list(field(r, "to")).flatMap((t) => list(field(t, "operation.ports"))))).toEqual(["4222"]);
  });

  it.each(["compose/broker/nats.json", "k8s/base/broker/nats.json"])(
    "is exactly the same identities as users of the broker's own TLS in %s",
    (path) => {
      const config = JSON.parse(readFileSync(join(repoRoot, "deploy", path), "utf8")) as unknown;
      expect(field(config, "tls.verify_and_map")).toBe(true);
      const users = list(field(config, "authorization.users")).map((u) => String(field(u, "user")));
      const identities = new Map<string, string>([
        [topology.broker?.adminIdentity ?? "", "broker-setup"],
        ...topology.services.map((s) => [s.identity, s.name] as [string, string]),
      ]);
      expect(users.map((u) => identities.get(u) ?? u).sort()).toEqual(brokerClients);
    },
  );
});
