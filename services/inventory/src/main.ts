// The inventory process: config from the environment, then serve until SIGTERM or SIGINT.
import { createLogger, runMain } from "@shopmesh/kit";
import { startInventory } from "./app.js";
import { loadConfig } from "./config.js";

runMain(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger("inventory", config.server.logLevel);
  const app = await startInventory(config, logger);
  return { logger, running: app };
});
