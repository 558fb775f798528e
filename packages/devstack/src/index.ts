export { startShop } from "./shop.js";
export type { ShopOptions, RunningShop, RunningComponent } from "./shop.js";
export type { Component, Layout } from "./components.js";
