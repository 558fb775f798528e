import { pino, type Logger } from "pino";
import { traceFields } from "./trace-context.js";

/**
 * JSON logs on stdout, one object a line, each tagged with the service's name and, within a
 * traced call, with the trace and span it belongs to (so a line leads to its trace in Zipkin).
 */
export function createLogger(service: string, level = "info"): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: (fields: object) => ("trace_id" in fields ? {} : (traceFields() ?? {})),
  });
}

export type { Logger } from "pino";
