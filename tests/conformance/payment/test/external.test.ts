// The payment contract against an implementation already running at PAYMENT_ADDR (host:port or
// unix:/path). Without PAYMENT_ADDR it is skipped: node.test.ts runs the suite.
import { describe } from "@jest/globals";
import { paymentContract } from "./payment-contract.js";

const address = process.env["PAYMENT_ADDR"];

(address === undefined ? describe.skip : describe)(`PaymentService at PAYMENT_ADDR (${address ?? "not set"})`, () => {
  paymentContract(async () => ({ address: address ?? "" }));
});
