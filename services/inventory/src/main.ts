import { serve } from "@shopmesh/kit";
import { startInventory } from "./app.js";
import { loadConfig } from "./config.js";

serve("inventory", loadConfig, startInventory);
