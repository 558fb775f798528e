// Process entry: `node services/catalog/dist/src/main.js`, configured by the environment only.
import { createLogger, runMain } from "@shopmesh/kit";
import { startCatalog } from "./app.js";
import { loadConfig } from "./config.js";

runMain(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger("catalog", config.server.logLevel);
  const app = await startCatalog(config, logger);
  return { logger, running: app };
});
