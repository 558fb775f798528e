import { serve } from "@shopmesh/kit";
import { startCart } from "./app.js";
import { loadConfig } from "./config.js";

serve("cart", loadConfig, startCart);
