// The shipping contract against the Go implementation (services/shipping-go), as its process.
import { describe } from "@jest/globals";
import { startServiceProcess, type ServiceProcess } from "@shopmesh/testkit";
import { shippingContract } from "./shipping-contract.js";

describe("ShippingService in Go (impl: go)", () => {
  let running: ServiceProcess | undefined;
  shippingContract(
    async () => (running = await startServiceProcess("shipping", "go")),
    async () => running?.dispose(),
  );
});
