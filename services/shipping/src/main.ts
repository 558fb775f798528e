import { serve } from "@shopmesh/kit";
import { startShipping } from "./app.js";
import { loadConfig } from "./config.js";

serve("shipping", loadConfig, startShipping);
