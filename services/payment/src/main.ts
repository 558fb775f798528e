import { serve } from "@shopmesh/kit";
import { startPayment } from "./app.js";
import { loadConfig } from "./config.js";

serve("payment", loadConfig, startPayment);
