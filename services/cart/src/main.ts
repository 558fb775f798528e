import { createLogger, runMain } from "@shopmesh/kit";
import { startCart } from "./app.js";
import { loadConfig } from "./config.js";

runMain(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger("cart", config.server.logLevel);
  const running = await startCart(config, logger);
  return { logger, running };
});
