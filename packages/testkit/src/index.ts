export { startRedis, startMongo } from "./stores.js";
export type { TestStore } from "./stores.js";
export { startChild, freePort, waitForPort } from "./process.js";
export type { Child } from "./process.js";
export { grpcurl } from "./grpcurl.js";
export type { GrpcurlResult } from "./grpcurl.js";
export { healthClient } from "./health.js";
export type { HealthProbe, ServingStatus } from "./health.js";
export { repoRoot, toolPath, onPath } from "./tools.js";
