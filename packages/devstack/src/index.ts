export { startShop } from "./shop.js";
export type { ShopOptions, RunningShop } from "./shop.js";
export type { Layout } from "./components.js";
export { prometheusConfig, scrapeConfigs } from "./prometheus-config.js";
export { readEnvoyGrpcStats } from "./envoy-grpc-stats.js";
export { goldenMetrics, quantile, readMesh } from "./golden-metrics.js";
export type { GoldenMetrics, MeshEnvoy, MeshReading, MethodMetrics, ServiceMetrics } from "./golden-metrics.js";
export { renderGoldenMetrics, serviceInfos, shopEnvoys, statShop } from "./stat-report.js";
export { shopState, writeState } from "./state.js";
