// The payment contract against the TypeScript implementation (services/payment), as its process.
import { describe } from "@jest/globals";
import { startServiceProcess, type ServiceProcess } from "@shopmesh/testkit";
import { paymentContract } from "./payment-contract.js";

describe("PaymentService in TypeScript (impl: node)", () => {
  let running: ServiceProcess | undefined;
  paymentContract(
    async () => (running = await startServiceProcess("payment", "node")),
    async () => running?.dispose(),
  );
});
