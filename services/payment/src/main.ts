// The payment process: config from the environment, then serve until SIGTERM or SIGINT.
import { createLogger, runMain } from "@shopmesh/kit";
import { startPayment } from "./app.js";
import { loadConfig } from "./config.js";

runMain(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger("payment", config.server.logLevel);
  const app = await startPayment(config, logger);
  return { logger, running: app };
});
