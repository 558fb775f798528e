// The shipping contract against the TypeScript implementation (services/shipping), as its process.
import { describe } from "@jest/globals";
import { startServiceProcess, type ServiceProcess } from "@shopmesh/testkit";
import { shippingContract } from "./shipping-contract.js";

describe("ShippingService in TypeScript (impl: node)", () => {
  let running: ServiceProcess | undefined;
  shippingContract(
    async () => (running = await startServiceProcess("shipping", "node")),
    async () => running?.dispose(),
  );
});
