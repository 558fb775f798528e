// Loaded with `node --import` before a service's main: with TRACING=true it registers the ESM
// loader hook that lets the instrumentation patch @grpc/grpc-js as the service imports it, then
// starts tracing. Loaded any later, grpc-js would be imported unpatched and no RPC would have a span.
import { register } from "node:module";
import { tracingConfig } from "./config.js";

const config = tracingConfig(process.env);
if (config.enabled) {
  // Only grpc-js is wrapped: every other module loads as it would without tracing.
  register("@opentelemetry/instrumentation/hook.mjs", import.meta.url, { data: { include: ["@grpc/grpc-js"] } });
  const { startTracing } = await import("./tracing.js");
  startTracing(config);
}
