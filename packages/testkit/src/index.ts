export { startRedis, startMongo } from "./stores.js";
export type { TestStore } from "./stores.js";
export { captureLogs } from "./log-capture.js";
export { rejection } from "./rejection.js";
export { eventually } from "./eventually.js";
export type { EventuallyOptions } from "./eventually.js";
export { asUser } from "./callers.js";
export { testCards, testAddress } from "./fixtures.js";
export type { TestCard, TestAddress } from "./fixtures.js";
export { checkSagaInvariants, allOrdersOf } from "./saga-invariants.js";
export type { SagaWorld, SagaInvariantOptions } from "./saga-invariants.js";
export { preconditionViolations } from "./error-details.js";
export { implOverrides } from "./impl-overrides.js";
export { startServiceProcess } from "./service-process.js";
export type { Implementation, ServiceProcess, ServiceProcessOptions } from "./service-process.js";
// Processes, health and tools belong to the launcher; tests keep importing them from here.
export { accepts, freePort, grpcurl, healthClient, onPath, repoRoot, startChild, toolPath } from "@shopmesh/launcher";
export type { Child, GrpcurlResult, HealthProbe, ServingStatus } from "@shopmesh/launcher";
