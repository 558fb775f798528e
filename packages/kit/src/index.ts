export { createShopServer, register, ShopServer } from "./server.js";
export type { Probe, ServiceRegistration, ShopServerOptions } from "./server.js";
export { createGrpcClient } from "./client.js";
export type { GrpcClient, GrpcClientOptions } from "./client.js";
export { Violations, invalidArgument, fieldViolations } from "./validation.js";
export {
  identityHeader,
  requestIdHeader,
  callerKey,
  requestIdKey,
  requireCaller,
  forwardHeaders,
  callerFromHeaders,
} from "./identity.js";
export type { Caller } from "./identity.js";
export {
  ConfigError,
  parseEnv,
  configProblems,
  env,
  serverEnvShape,
  serverConfig,
  mongoEnvShape,
  mongoConfig,
  redisEnvShape,
  redisConfig,
  pageTokenEnvShape,
  mongoServiceEnvShape,
  redisServiceEnvShape,
  mongoServiceConfig,
  redisServiceConfig,
  describeEnv,
  configTable,
  withConfigTable,
  tracingEnvShape,
  tracingConfig,
} from "./config.js";
export type {
  ServerConfig,
  MongoConfig,
  RedisConfig,
  MongoServiceConfig,
  RedisServiceConfig,
  Env,
  EnvShape,
  ConfigVariable,
  TracingConfig,
} from "./config.js";
export { createLogger } from "./logger.js";
export { inSpan, shopTracer, traceFields } from "./trace-context.js";
export type { SpanOutcome } from "./trace-context.js";
export type { Logger } from "./logger.js";
export { runMain, serve } from "./main.js";
export type { Running } from "./main.js";
export { startService } from "./lifecycle.js";
export type { Resources, ServiceParts, BackgroundLoop, RunningService } from "./lifecycle.js";
export { codeName, errorFromStatus, statusFromError, internalErrorMessage } from "./status.js";
export { shopFiles, shopFileDescriptorProtos } from "./contracts.js";
export { createSignedTokens, tokenKey } from "./signed-token.js";
export type { OpenedToken, SignedTokens } from "./signed-token.js";
export type { Clock } from "./clock.js";
export { createMetricsRegistry, serveMetrics } from "./metrics.js";
export type { MetricsRegistry, RpcMetrics } from "./metrics.js";
