// What the Kubernetes renderings share: the namespace, labels, and the sizes measured in
// docs/benchmarks.md (a Node service ≈ 125 MiB RSS idle and ≈ 140 MiB busy; an Envoy ≈ 57 MiB).
import type { ServiceNode, Topology } from "@shopmesh/mesh";

export type Json = Record<string, unknown>;

export const namespace = "shop";
export const nameLabel = "app.kubernetes.io/name";
export const partOf = { "app.kubernetes.io/part-of": "shopmesh" } as const;

/** Labels of a workload's pods; `app` too, which Istio's telemetry reads. */
export function labels(name: string): Record<string, string> {
  return { [nameLabel]: name, app: name, ...partOf };
}

export const selectorOf = (name: string): Json => ({ matchLabels: { [nameLabel]: name } });

export const resources = {
  node: { requests: { cpu: "100m", memory: "160Mi" }, limits: { cpu: "1", memory: "384Mi" } },
  envoy: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "192Mi" } },
  mongodb: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
  redis: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  // Not measured: JetStream keeps at most 16 MiB in memory and a client may buffer 16 MiB (natsConfig).
  broker: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  zipkin: { requests: { cpu: "100m", memory: "384Mi" }, limits: { cpu: "1", memory: "768Mi" } },
  web: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } },
} as const;

/** A container that cannot gain privileges and writes nowhere but its volumes. */
export const restrictedContainer = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

export function podSecurity(uid: number): Json {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

export function meta(name: string, extra: Json = {}): Json {
  return { name, labels: labels(name), ...extra };
}

/** The callers the topology grants `callee`: service names. */
export function callersOf(topology: Topology, callee: ServiceNode): ServiceNode[] {
  return topology.services.filter((s) => s.calls.some((g) => g.callee === callee.name));
}

/** The paths the gateway routes to `service` (public and user methods), and reflection through one service. */
export function edgePaths(topology: Topology, service: ServiceNode): { public: string[]; user: string[] } {
  const path = (m: string) => `/${service.service}/${m}`;
  const reflection =
    topology.gateway.reflectionVia === service.name
      ? ["/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"]
      : [];
  return { public: [...service.publicMethods.map(path), ...reflection], user: service.userMethods.map(path) };
}

export const servesEdge = (topology: Topology, service: ServiceNode): boolean => {
  const paths = edgePaths(topology, service);
  return paths.public.length + paths.user.length > 0;
};
