import { serve } from "@shopmesh/kit";
import { startOrder } from "./app.js";
import { loadConfig } from "./config.js";

serve("order", loadConfig, startOrder);
