export { startShop } from "./shop.js";
export type { ShopOptions, RunningShop } from "./shop.js";
export { components, layout } from "./components.js";
export type { Layout } from "./components.js";
