// The user process: config from the environment, then serve until SIGTERM or SIGINT.
import { createLogger, runMain } from "@shopmesh/kit";
import { startUser } from "./app.js";
import { loadConfig } from "./config.js";

runMain(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger("user", config.server.logLevel);
  const app = await startUser(config, logger);
  return { logger, running: app };
});
