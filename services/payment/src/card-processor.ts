// The card processor: the one place that decides what happens to a charge. The shop uses a
// simulated one whose behaviour the contract documents per test card.
import type { Amount } from "@shopmesh/domain";

/** A card as the processor needs it. Passed to the processor only; never stored or logged. */
export interface CardToCharge {
  /** Digits only, Luhn-valid. */
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvc: string;
}

export type ChargeDecision = { readonly status: "CAPTURED" } | { readonly status: "DECLINED"; readonly declineReason: string };

/** The processor cannot be reached or did not answer: nothing was charged or refunded. */
export class ProcessorUnavailableError extends Error {
  override readonly name = "ProcessorUnavailableError";
}

/**
 * Charges and refunds cards. Like real processors (which take an idempotency key), an
 * implementation must act at most once per `idempotencyKey` and per refunded `paymentId`: two
 * Charges that race with the same key may both get here, and only one payment is recorded.
 */
export interface CardProcessor {
  /** Throws ProcessorUnavailableError when the processor cannot be reached. */
  charge(request: { readonly idempotencyKey: string; readonly amount: Amount; readonly card: CardToCharge }): Promise<ChargeDecision>;
  /** Refunds a captured payment in full; throws ProcessorUnavailableError when unreachable. */
  refund(request: { readonly paymentId: string; readonly amount: Amount }): Promise<void>;
}

/** The contract's test cards (PaymentService's comment). */
export const testCards = {
  alwaysCaptured: "4242424242424242",
  alwaysDeclined: "4000000000000002",
  processorDown: "4000000000000119",
} as const;

export const insufficientFunds = "insufficient funds";

/** The simulated processor: declines and outages by test card, every other card is captured. */
export function createTestCardProcessor(): CardProcessor {
  return {
    async charge({ card }) {
      switch (card.number) {
        case testCards.alwaysDeclined:
          return { status: "DECLINED", declineReason: insufficientFunds };
        case testCards.processorDown:
          throw new ProcessorUnavailableError("the card processor is unavailable (test card)");
        default:
          return { status: "CAPTURED" };
      }
    },
    async refund() {
      // The simulated processor always refunds a captured payment.
    },
  };
}
