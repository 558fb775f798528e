export { createLauncher } from "./launcher.js";
export type { Launched, Launcher, LauncherOptions } from "./launcher.js";
export type { Component, ComponentKind, Readiness } from "./component.js";
export { describeExit, restartPolicy } from "./supervision.js";
export type { ComponentState, ComponentStatus, ExitRecord, RestartPolicy, SupervisionEvent, SupervisionOptions } from "./supervision.js";
export {
  envoy,
  ferretDb,
  goService,
  goServiceBinary,
  mongod,
  natsServer,
  nodeFlags,
  nodeService,
  redisServer,
  serviceEntry,
  tracingModule,
  webDist,
  webServer,
  zipkin,
  zipkinJar,
} from "./recipes.js";
export type { EnvoyOptions, MongoOptions, NatsOptions, RedisOptions, ServiceOptions, ZipkinOptions } from "./recipes.js";
export { isAlive, startChild } from "./child.js";
export type { Child } from "./child.js";
export { accepts, freePort, freePortBase, waitForPort } from "./ports.js";
export { healthClient } from "./health.js";
export type { HealthProbe, ServingStatus } from "./health.js";
export { grpcurl } from "./grpcurl.js";
export type { GrpcurlResult } from "./grpcurl.js";
export { machine, writeBenchSection, writeBenchTargets } from "./bench-report.js";
export type { TargetRow } from "./bench-report.js";
export { countServerErrors, runGhz } from "./ghz.js";
export type { GhzResult, GhzRun } from "./ghz.js";
export { onPath, repoRoot, toolPath } from "./tools.js";
