import { describe, expect, it } from "@jest/globals";
import { createTestCardProcessor, ProcessorUnavailableError } from "../src/card-processor.js";

const amount = { currencyCode: "USD", minor: 1000n };
const card = (number: string) => ({ number, expMonth: 12, expYear: 2031, cvc: "123" });

describe("the test-card processor", () => {
  const processor = createTestCardProcessor();

  it("captures 4242… and any other card", async () => {
    await expect(processor.charge({ idempotencyKey: "k", amount, card: card("4242424242424242") })).resolves.toEqual({
      status: "CAPTURED",
    });
    await expect(processor.charge({ idempotencyKey: "k", amount, card: card("5555555555554444") })).resolves.toEqual({
      status: "CAPTURED",
    });
  });

  it("declines 4000 0000 0000 0002 for insufficient funds", async () => {
    await expect(processor.charge({ idempotencyKey: "k", amount, card: card("4000000000000002") })).resolves.toEqual({
      status: "DECLINED",
      declineReason: "insufficient funds",
    });
  });

  it("is unavailable for 4000 0000 0000 0119", async () => {
    await expect(processor.charge({ idempotencyKey: "k", amount, card: card("4000000000000119") })).rejects.toBeInstanceOf(
      ProcessorUnavailableError,
    );
  });
});
