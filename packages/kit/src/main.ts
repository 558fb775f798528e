// Process bootstrap shared by every service: load the config, start, then stop cleanly on SIGTERM
// or SIGINT within a bounded time; a bad config or a failed start is one clear line and exit 1.
import type { Logger } from "pino";
import { ConfigError, type Env, type ServerConfig } from "./config.js";
import { createLogger } from "./logger.js";

export interface Running {
  /** Stops serving and releases everything (stores, clients); called once. */
  stop(): Promise<void>;
}

/**
 * A service's whole `main`: `serve("cart", loadConfig, startCart)`. The environment is read
 * here and only handed to the service's loadConfig.
 */
export function serve<C extends { readonly server: ServerConfig }>(
  name: string,
  loadConfig: (env: Env) => C,
  start: (config: C, logger: Logger) => Promise<Running>,
): void {
  runMain(async () => {
    const config = loadConfig(process.env);
    const logger = createLogger(name, config.server.logLevel);
    return { running: await start(config, logger), logger };
  });
}

/**
 * Runs `start` and keeps the process until a signal arrives. `exitTimeoutMs` bounds the whole
 * shutdown: a stop that hangs (a store that never closes) still ends the process.
 */
export function runMain(start: () => Promise<{ running: Running; logger: Logger }>, exitTimeoutMs = 10_000): void {
  start().then(
    ({ running, logger }) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, "shutting down");
        setTimeout(() => {
          logger.error({ timeout_ms: exitTimeoutMs }, "shutdown took too long; exiting");
          process.exit(1);
        }, exitTimeoutMs).unref();
        running.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, "shutdown failed");
            process.exit(1);
          },
        );
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
    },
    (err: unknown) => {
      const line = err instanceof ConfigError ? err.message : `start failed: ${err instanceof Error ? err.message : String(err)}`;
      process.stderr.write(`${line}\n`);
      process.exit(1);
    },
  );
}
