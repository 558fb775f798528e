// Request validation: every bad field becomes one google.rpc.BadRequest violation named by its
// proto path ("card.exp_month"), reported together. Descriptions never repeat card data.
import type { ChargeRequest, PaymentCard } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { characterCount, type Amount } from "@shopmesh/domain";
import { Violations } from "@shopmesh/kit";
import { cardNumberProblem, isCardExpired, normalizeCardNumber } from "./card.js";
import type { CardToCharge } from "./card-processor.js";
import { checkChargeAmount } from "./charge-amount.js";

/** The contract's bound on ids and idempotency keys, in characters. */
export const maxIdLength = 64;

/** A Charge request that passed validation. */
export interface ChargeInput {
  readonly idempotencyKey: string;
  readonly amount: Amount;
  readonly card: CardToCharge;
}

/** Checks an id or key: 1..64 characters. */
export function checkId(v: Violations, field: string, value: string): boolean {
  if (!v.check(value !== "", field, "is required")) return false;
  return v.check(characterCount(value) <= maxIdLength, field, `must be at most ${maxIdLength} characters`);
}

/** The validated request, or INVALID_ARGUMENT naming every bad field. `nowMs` decides expiry. */
export function parseChargeRequest(req: ChargeRequest, nowMs: number): ChargeInput {
  const v = new Violations();
  checkId(v, "idempotency_key", req.idempotencyKey);
  const amount = checkAmount(v, "amount", req.amount);
  const card = checkCard(v, "card", req.card, nowMs);
  if (amount === undefined || card === undefined) throw v.error();
  v.throwIfAny();
  return { idempotencyKey: req.idempotencyKey, amount, card };
}

function checkAmount(v: Violations, field: string, money: ChargeRequest["amount"]): Amount | undefined {
  const amount = checkChargeAmount(money, field);
  if (!Array.isArray(amount)) return amount;
  for (const violation of amount) v.add(violation.field, violation.description);
  return undefined;
}

function checkCard(v: Violations, field: string, card: PaymentCard | undefined, nowMs: number): CardToCharge | undefined {
  if (card === undefined) {
    v.add(field, "is required");
    return undefined;
  }
  const numberProblem = cardNumberProblem(card.number);
  const numberOk = v.check(numberProblem === undefined, `${field}.number`, numberProblem ?? "");
  const monthOk = v.check(card.expMonth >= 1 && card.expMonth <= 12, `${field}.exp_month`, "must be a month 1..12");
  const yearOk = v.check(card.expYear >= 1000 && card.expYear <= 9999, `${field}.exp_year`, "must be a four-digit year, e.g. 2031");
  const expired = monthOk && yearOk && isCardExpired(card.expMonth, card.expYear, nowMs);
  if (expired) {
    // Name the field to correct: the year when it is past, else the month of this year.
    const yearPast = card.expYear < new Date(nowMs).getUTCFullYear();
    v.add(yearPast ? `${field}.exp_year` : `${field}.exp_month`, "the card has expired");
  }
  const cvcOk = v.check(/^\d{3,4}$/.test(card.cvc), `${field}.cvc`, "must be 3 or 4 digits");
  if (!numberOk || !monthOk || !yearOk || expired || !cvcOk) return undefined;
  return { number: normalizeCardNumber(card.number), expMonth: card.expMonth, expYear: card.expYear, cvc: card.cvc };
}
