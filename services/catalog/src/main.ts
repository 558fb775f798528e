import { serve } from "@shopmesh/kit";
import { startCatalog } from "./app.js";
import { loadConfig } from "./config.js";

serve("catalog", loadConfig, startCatalog);
