import { serve } from "@shopmesh/kit";
import { startUser } from "./app.js";
import { loadConfig } from "./config.js";

serve("user", loadConfig, startUser);
