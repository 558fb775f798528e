// Process entry: config from the environment, one logger, start, stop on SIGTERM/SIGINT.
import { createLogger, runMain } from "@shopmesh/kit";
import { startShipping } from "./app.js";
import { loadConfig } from "./config.js";

runMain(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger("shipping", config.server.logLevel);
  const app = await startShipping(config, logger);
  return { logger, running: app };
});
