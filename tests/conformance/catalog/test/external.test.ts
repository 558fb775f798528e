// The catalog contract against an implementation already running at CATALOG_ADDR (host:port or
// unix:/path). Without CATALOG_ADDR it is skipped: node.test.ts runs the suite.
import { describe } from "@jest/globals";
import { catalogContract } from "./catalog-contract.js";

const address = process.env["CATALOG_ADDR"];

(address === undefined ? describe.skip : describe)(`CatalogService at CATALOG_ADDR (${address ?? "not set"})`, () => {
  catalogContract(async () => ({ address: address ?? "" }));
});
