// The catalog contract against the TypeScript implementation (services/catalog), as its process.
import { describe } from "@jest/globals";
import { startServiceProcess, type ServiceProcess } from "@shopmesh/testkit";
import { catalogContract } from "./catalog-contract.js";

describe("CatalogService in TypeScript (impl: node)", () => {
  let running: ServiceProcess | undefined;
  catalogContract(
    async () => (running = await startServiceProcess("catalog", "node")),
    async () => running?.dispose(),
  );
});
