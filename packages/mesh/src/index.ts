export { loadTopology, buildTopology, serviceNamed } from "./topology.js";
export type { Topology, ServiceNode, StoreNode } from "./topology.js";
export { gatewayConfig, sidecarConfig, faultHeader } from "./envoy.js";
export { writeEnvoyConfigs, validateEnvoyConfig } from "./generate.js";
export type { GeneratedConfig } from "./generate.js";
