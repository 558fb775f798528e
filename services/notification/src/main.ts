// The notification process: config from the environment, then serve until SIGTERM or SIGINT.
import { createLogger, runMain } from "@shopmesh/kit";
import { startNotification } from "./app.js";
import { loadConfig } from "./config.js";

runMain(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger("notification", config.server.logLevel);
  const app = await startNotification(config, logger);
  return { logger, running: app };
});
