// The shipping contract against the TypeScript implementation (services/shipping), as its process.
import { describe } from "@jest/globals";
import { startImplementation, type RunningImplementation } from "./implementations.js";
import { shippingContract } from "./shipping-contract.js";

describe("ShippingService in TypeScript (impl: node)", () => {
  let running: RunningImplementation | undefined;
  shippingContract(
    async () => (running = await startImplementation("node")),
    async () => running?.dispose(),
  );
});
