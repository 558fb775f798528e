// The base's NetworkPolicies: everything denied by default, then exactly the topology's calls (a
// caller's pods may reach a callee's pods on the port named `ingress`, and the callee admits them),
// each service to its own store, every pod to DNS and to Zipkin, exactly the services that publish
// or consume events (and the broker's setup) to the broker's client port. The gateway's calls are
// each overlay's, since the gateway differs.
import { containerPorts, type Topology } from "@shopmesh/mesh";
import { brokerHost, brokerPorts, brokerSetupName, deployedBroker, usesBroker } from "./broker.js";
import { zipkinHost } from "./container-envoy.js";
import { callersOf, type Json, partOf, selectorOf } from "./k8s-common.js";
import { storePorts } from "./service-env.js";

/** The port name every policy and Service targets: the service itself (Istio) or its sidecar (our Envoy). */
export const ingressPortName = "ingress";

const dnsEgress = {
  to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};

export function networkPolicy(name: string, spec: Json): Json {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, labels: partOf }, spec };
}

/** Peers: the pods of these workloads. */
export const fromPods = (names: readonly string[]): Json[] => names.map((n) => ({ podSelector: selectorOf(n) }));

/**
 * Deny by default; then exactly the topology's calls (caller pods to callee pods on the ingress
 * port), each service to its own store, every pod to DNS and to Zipkin. The gateway's calls are
 * each overlay's (its gateway differs).
 */
export function baseNetworkPolicies(topology: Topology): Json[] {
  const policies: Json[] = [
    networkPolicy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    networkPolicy("dns", { podSelector: {}, policyTypes: ["Egress"], egress: [dnsEgress] }),
  ];
  if (topology.tracing.enabled) {
    policies.push(
      networkPolicy("tracing", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: fromPods([zipkinHost]), ports: [{ protocol: "TCP", port: containerPorts.zipkin }] }],
      }),
      networkPolicy(`${zipkinHost}-spans`, {
        podSelector: selectorOf(zipkinHost),
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: containerPorts.zipkin }] }],
      }),
    );
  }
  const broker = deployedBroker(topology);
  const brokerPort = [{ protocol: "TCP", port: brokerPorts.client }];
  const toBroker = { to: fromPods([brokerHost]), ports: brokerPort };
  if (broker !== undefined) {
    const clients = [...topology.services.filter(usesBroker).map((s) => s.name), brokerSetupName];
    policies.push(
      networkPolicy(`${brokerHost}-clients`, {
        podSelector: selectorOf(brokerHost),
        policyTypes: ["Ingress"],
        ingress: [{ from: fromPods(clients), ports: brokerPort }],
      }),
      networkPolicy(brokerSetupName, { podSelector: selectorOf(brokerSetupName), policyTypes: ["Egress"], egress: [toBroker] }),
    );
  }
  for (const service of topology.services) {
    const callers = callersOf(topology, service).map((s) => s.name);
    if (callers.length > 0) {
      policies.push(
        networkPolicy(`${service.name}-callers`, {
          podSelector: selectorOf(service.name),
          policyTypes: ["Ingress"],
          ingress: [{ from: fromPods(callers), ports: [{ protocol: "TCP", port: ingressPortName }] }],
        }),
      );
    }
    const store = topology.stores.find((s) => s.name === service.store.server);
    if (store === undefined) throw new Error(`no store ${service.store.server}`);
    const callees = service.calls.map((g) => g.callee);
    policies.push(
      networkPolicy(`${service.name}-calls`, {
        podSelector: selectorOf(service.name),
        policyTypes: ["Egress"],
        egress: [
          ...(callees.length > 0 ? [{ to: fromPods(callees), ports: [{ protocol: "TCP", port: ingressPortName }] }] : []),
          { to: fromPods([store.name]), ports: [{ protocol: "TCP", port: storePorts[store.kind] }] },
          ...(broker !== undefined && usesBroker(service) ? [toBroker] : []),
        ],
      }),
    );
  }
  for (const store of topology.stores) {
    const owners = topology.services.filter((s) => s.store.server === store.name).map((s) => s.name);
    policies.push(
      networkPolicy(`${store.name}-owners`, {
        podSelector: selectorOf(store.name),
        policyTypes: ["Ingress"],
        ingress: [{ from: fromPods(owners), ports: [{ protocol: "TCP", port: storePorts[store.kind] }] }],
      }),
    );
  }
  policies.push(
    networkPolicy("web", {
      podSelector: selectorOf("web"),
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ protocol: "TCP", port: containerPorts.gateway }] }],
    }),
  );
  return policies;
}
