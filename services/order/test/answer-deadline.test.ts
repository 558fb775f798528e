import { describe, expect, it } from "@jest/globals";
import { answerDeadline, maxAnswerMarginMs } from "../src/answer-deadline.js";

const now = 1_000_000;

describe("answerDeadline", () => {
  it("is the configured bound when the caller set no deadline", () => {
    expect(answerDeadline(now, undefined, 8_000)).toBe(now + 8_000);
  });

  it("is the configured bound when the caller's deadline is later (the gateway's route timeout is what counts)", () => {
    expect(answerDeadline(now, now + 30_000, 8_000)).toBe(now + 8_000);
  });

  it("keeps a tenth of a short caller deadline for the way back", () => {
    expect(answerDeadline(now, now + 1_000, 8_000)).toBe(now + 900);
  });

  it("keeps at most half a second of a long one", () => {
    expect(answerDeadline(now, now + 6_000, 8_000)).toBe(now + 6_000 - maxAnswerMarginMs);
  });

  it("is now or earlier for a deadline already passed (the answer goes at once)", () => {
    expect(answerDeadline(now, now - 10, 8_000)).toBeLessThanOrEqual(now);
  });
});
