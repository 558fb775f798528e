// The mesh's Envoy configs for containers: the generator of the local mesh (packages/mesh) with
// container addressing and the paths where the containers mount certificates and keys.
import {
  gatewayConfig,
  type MeshFiles,
  networkAddressing,
  type Replica,
  type ServiceNode,
  sidecarConfig,
  type Topology,
  withTracing,
} from "@shopmesh/mesh";

type Json = Record<string, unknown>;

/** Where every container finds its mesh files; the access logs go to stdout. */
export const containerFiles: MeshFiles = {
  logDir: "/dev/stdout",
  pkiDir: "/etc/shopmesh/pki",
  socketDir: "/run/shopmesh",
  jwksPath: "/etc/shopmesh/jwks/jwks.json",
};

export const zipkinHost = "zipkin";

export interface ContainerMesh {
  /** The DNS names of a service's sidecars. */
  readonly peerHosts: (service: ServiceNode) => readonly string[];
  /** Where the certificates are: the containers' paths, or a local copy (to validate). */
  readonly files?: MeshFiles;
}

function traced(topology: Topology, config: Json, serviceName: string, workload: string, mesh: ContainerMesh): Json {
  const addressing = networkAddressing({ peerHosts: mesh.peerHosts, zipkinHost });
  return topology.tracing.enabled ? withTracing(config, topology, serviceName, workload, addressing) : config;
}

export function containerSidecar(topology: Topology, service: ServiceNode, replica: Replica, mesh: ContainerMesh): Json {
  const addressing = networkAddressing({ peerHosts: mesh.peerHosts, zipkinHost });
  const config = sidecarConfig(topology, service, replica, mesh.files ?? containerFiles, { addressing });
  return traced(topology, config, `sidecar-${service.name}`, replica.name, mesh);
}

export function containerGateway(topology: Topology, mesh: ContainerMesh): Json {
  const addressing = networkAddressing({ peerHosts: mesh.peerHosts, zipkinHost });
  return traced(topology, gatewayConfig(topology, mesh.files ?? containerFiles, { addressing }), "gateway", "gateway", mesh);
}

/** Compose: one container (and so one DNS name) per replica. */
export const composePeers = (service: ServiceNode): readonly string[] => service.replicas.map((r) => r.name);

/** Kubernetes: one headless Service per service, whose name resolves to every ready pod. */
export const kubernetesPeers = (service: ServiceNode): readonly string[] => [service.name];
