// What a shopper reads when a call fails: sentences and per-field messages from the status
// details, never a code name or a raw server message.
import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { describeProblem, fieldMessage, fieldSentence, otherFieldMessages } from "../src/errors.js";

function precondition(type: string, subject: string, description: string): ConnectError {
  return new ConnectError(`failed: ${description}`, Code.FailedPrecondition, undefined, [
    { desc: PreconditionFailureSchema, value: create(PreconditionFailureSchema, { violations: [{ type, subject, description }] }) },
  ]);
}

describe("problems", () => {
  it("gives each bad field its own message", () => {
    const err = new ConnectError("invalid shipping_address.postal_code: must be a US ZIP code", Code.InvalidArgument, undefined, [
      {
        desc: BadRequestSchema,
        value: create(BadRequestSchema, {
          fieldViolations: [
            { field: "shipping_address.postal_code", description: "must be a US ZIP code" },
            { field: "request_id", description: "must not be empty" },
          ],
        }),
      },
    ]);
    const problem = describeProblem(err);
    expect(problem.message).toBe("Please check the highlighted fields.");
    expect(fieldMessage(problem, "shipping_address.postal_code")).toBe("must be a US ZIP code");
    expect(otherFieldMessages(problem, ["shipping_address.postal_code"])).toEqual(["request id: must not be empty"]);
  });

  it("says why a card was declined and that the cart is kept", () => {
    const problem = describeProblem(precondition("PAYMENT", "order/ord_1", "insufficient funds"));
    expect(problem.message).toBe("Your card was declined: insufficient funds. Nothing was charged and your cart is unchanged.");
  });

  it("names the product that is short of stock", () => {
    expect(describeProblem(precondition("STOCK", "sku/MUG-BLUE-350", "2 available, 5 requested")).message).toBe(
      "Not enough stock of MUG-BLUE-350: 2 available, 5 requested.",
    );
  });

  it("keeps the service's reason for a cancelled order apart from the sentence", () => {
    const problem = describeProblem(precondition("CANCELLED", "order/ord_1", "payment service unavailable"));
    expect(problem.message).toContain("your cart is unchanged");
    expect(problem.detail).toBe("Reason: payment service unavailable");
  });

  it.each([
    [Code.Unauthenticated, "Your session expired, please log in again."],
    [Code.Unavailable, "Part of the shop is not answering right now. Please try again in a moment."],
    [Code.ResourceExhausted, "The shop is busy right now. Please wait a moment and try again."],
    [Code.Internal, "Something went wrong on our side. Please try again."],
  ])("never shows a code name or the raw message (code %s)", (code, message) => {
    const problem = describeProblem(new ConnectError("upstream connect error or disconnect/reset before headers", code));
    expect(problem.message).toBe(message);
  });

  it("turns a failed fetch into a connection problem", () => {
    expect(describeProblem(new TypeError("Failed to fetch")).message).toBe(
      "Could not reach the shop. Check your connection and try again.",
    );
  });

  it("puts the field's label before the service's words", () => {
    expect(fieldSentence("Postal code", "must be five digits")).toBe("Postal code must be five digits.");
    expect(fieldSentence("Expiry year", "the card has expired")).toBe("The card has expired.");
  });
});
