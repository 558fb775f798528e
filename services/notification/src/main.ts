import { serve } from "@shopmesh/kit";
import { startNotification } from "./app.js";
import { loadConfig } from "./config.js";

serve("notification", loadConfig, startNotification);
