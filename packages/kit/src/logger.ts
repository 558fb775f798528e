import { pino, type Logger } from "pino";

/** JSON logs on stdout, one object a line, each tagged with the service's name. */
export function createLogger(service: string, level = "info"): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

export type { Logger } from "pino";
