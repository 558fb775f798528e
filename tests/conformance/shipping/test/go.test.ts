// The shipping contract against the Go implementation (services/shipping-go), as its process.
import { describe } from "@jest/globals";
import { startImplementation, type RunningImplementation } from "./implementations.js";
import { shippingContract } from "./shipping-contract.js";

describe("ShippingService in Go (impl: go)", () => {
  let running: RunningImplementation | undefined;
  shippingContract(
    async () => (running = await startImplementation("go")),
    async () => running?.dispose(),
  );
});
