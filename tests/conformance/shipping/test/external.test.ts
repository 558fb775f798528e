// The shipping contract against an implementation already running at SHIPPING_ADDR (host:port or
// unix:/path), e.g. a new language's before it joins the mesh:
//   SHIPPING_ADDR=127.0.0.1:7125 make test-only ARGS=tests/conformance/shipping/test/external.test.ts
// Its store is not the suite's to stop, so the outage case is left out. Without SHIPPING_ADDR the
// suite is skipped here: node.test.ts and go.test.ts run it against both implementations.
import { describe } from "@jest/globals";
import { shippingContract } from "./shipping-contract.js";

const address = process.env["SHIPPING_ADDR"];

(address === undefined ? describe.skip : describe)(`ShippingService at SHIPPING_ADDR (${address ?? "not set"})`, () => {
  shippingContract(async () => ({ address: address ?? "", store: undefined }));
});
