export { startShop } from "./shop.js";
export type { ShopOptions, RunningShop } from "./shop.js";
export type { Layout } from "./components.js";
export { createFaultSwitch } from "./fault-switch.js";
export type { FaultSwitch, FaultSettings, ScenarioState, SidecarAdmin } from "./fault-switch.js";
