export { loadTopology, parseTopology, buildTopology, serviceNamed, workloads, portSpan, implementations } from "./topology.js";
export type {
  Implementation,
  Topology,
  TopologyOverrides,
  ServiceNode,
  Replica,
  StoreNode,
  CallGrant,
  TokenBucket,
  BrokerNode,
  EventSubscription,
} from "./topology.js";
export { gatewayConfig, sidecarConfig, unsentHeader } from "./envoy.js";
export { faultHeader, faultRuntimeKeys, grpcCode, loadFaults, parseFaults } from "./faults.js";
export type { FaultScenario } from "./faults.js";
export type { MeshOptions } from "./envoy.js";
export { withTracing, zipkinCluster, zipkinSpansPath } from "./envoy-tracing.js";
export { calleePolicies, identityCarriers } from "./envoy-authz.js";
export { writeEnvoyConfigs, validateEnvoyConfig } from "./generate.js";
export type { GeneratedConfig } from "./generate.js";
export { serviceSocket, egressSocket } from "./mesh-files.js";
export type { MeshFiles } from "./mesh-files.js";
export { issueCertificates, workloadFiles, trustFiles } from "./pki.js";
export type { Workload, WorkloadFiles, PkiOptions } from "./pki.js";
export { contractMethods } from "./envoy-stats.js";
export {
  brokerLayout,
  consumerSettings,
  deadLetters,
  deadLetterStreamSettings,
  eventConsumers,
  eventStreams,
  localListen,
  natsConfig,
  permissionsOf,
  streamSettings,
} from "./broker.js";
export type { BrokerListen, DeadLetters, EventConsumer, EventStream } from "./broker.js";
export { containerPorts, localAddressing, networkAddressing } from "./addressing.js";
export type { Addressing, NetworkAddressingOptions } from "./addressing.js";
