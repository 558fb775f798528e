// Where the mesh's Envoys listen and what they connect to. On one machine (`make up`) every
// workload shares loopback: a service listens on a Unix socket only its sidecar reaches, and each
// Envoy has ports of its own from the topology. In containers (Compose, Kubernetes) a service and
// its sidecar share a network namespace, like a pod: the service listens on a TCP port there, its
// sidecar's ingress takes calls from other containers, and callees are found by DNS name.
import { egressSocket, serviceSocket, type MeshFiles } from "./mesh-files.js";
import type { Replica, ServiceNode, Topology } from "./topology.js";

type Json = Record<string, unknown>;

export interface Addressing {
  /** An address of this workload's own listener on `port` (ingress, gateway), taking calls from others. */
  readonly listen: (port: number) => Json;
  /** The admin listener: only this workload (or its pod) reaches it. */
  readonly admin: (port: number) => Json;
  /** Where a sidecar reaches its own service. */
  readonly localService: (files: MeshFiles, replica: Replica) => Json;
  /** Where a service calls out through its sidecar. */
  readonly egress: (files: MeshFiles, replica: Replica) => Json;
  /** The addresses callers' Envoys and the gateway send `service`'s calls to. */
  readonly peers: (service: ServiceNode) => Json[];
  /** STATIC for addresses, STRICT_DNS for names (every address a name resolves to is an endpoint). */
  readonly peerClusterType: "STATIC" | "STRICT_DNS";
  /** The trace collector. */
  readonly zipkin: (topology: Topology) => Json;
  /** Where an Envoy writes its access log, given the file it would write on one machine. */
  readonly accessLog: (path: string) => string;
  /** A listener port: the topology's on one machine, a fixed one in containers. */
  readonly port: (kind: "ingress" | "admin" | "gateway" | "gatewayTls", topologyPort: number) => number;
}

const loopback = "127.0.0.1";

export function socketAddress(address: string, port: number): Json {
  return { socket_address: { address, port_value: port } };
}

/** A Unix socket only this user can connect to. */
export function pipeAddress(path: string): Json {
  return { pipe: { path, mode: 0o600 } };
}

/** One machine: loopback ports from the topology, Unix sockets between a service and its sidecar. */
export const localAddressing: Addressing = {
  listen: (port) => socketAddress(loopback, port),
  admin: (port) => socketAddress(loopback, port),
  localService: (files, replica) => pipeAddress(serviceSocket(files, replica.name)),
  egress: (files, replica) => pipeAddress(egressSocket(files, replica.name)),
  peers: (service) => service.replicas.map((r) => socketAddress(loopback, r.ingressPort)),
  peerClusterType: "STATIC",
  zipkin: (topology) => socketAddress(loopback, topology.tracing.port),
  accessLog: (path) => path,
  port: (_kind, topologyPort) => topologyPort,
};

/** The ports inside every container or pod: the same for every workload, as each has its own network namespace. */
export const containerPorts = {
  /** The service itself (gRPC). */
  app: 8080,
  /** Its sidecar's ingress (mTLS from the mesh). */
  ingress: 8443,
  /** Its sidecar's egress, on the pod's loopback. */
  egress: 15001,
  /** Every Envoy's admin, on the pod's loopback. */
  admin: 9901,
  /** The service's /metrics, on the pod's loopback. */
  metrics: 9464,
  /** The gateway: gRPC and gRPC-web in plaintext, and the same over TLS. */
  gateway: 8080,
  gatewayTls: 8443,
  /** Zipkin's collector and UI. */
  zipkin: 9411,
} as const;

export interface NetworkAddressingOptions {
  /** The DNS names of `service`'s sidecars: one per replica (Compose) or one for all (a Kubernetes headless Service). */
  readonly peerHosts: (service: ServiceNode) => readonly string[];
  /** The DNS name of the trace collector. */
  readonly zipkinHost: string;
}

/** Containers: a service and its sidecar share a network namespace; callees are names in DNS. */
export function networkAddressing(options: NetworkAddressingOptions): Addressing {
  return {
    listen: (port) => socketAddress("0.0.0.0", port),
    admin: (port) => socketAddress(loopback, port),
    localService: () => socketAddress(loopback, containerPorts.app),
    egress: () => socketAddress(loopback, containerPorts.egress),
    peers: (service) => options.peerHosts(service).map((host) => socketAddress(host, containerPorts.ingress)),
    peerClusterType: "STRICT_DNS",
    zipkin: () => socketAddress(options.zipkinHost, containerPorts.zipkin),
    accessLog: () => "/dev/stdout",
    port: (kind) => containerPorts[kind],
  };
}
