// The order process: config from the environment, then serve until SIGTERM or SIGINT.
import { createLogger, runMain } from "@shopmesh/kit";
import { startOrder } from "./app.js";
import { loadConfig } from "./config.js";

runMain(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger("order", config.server.logLevel);
  const app = await startOrder(config, logger);
  return { logger, running: app };
});
