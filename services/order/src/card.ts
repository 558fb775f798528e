// shop.payment.v1.PaymentCard as its contract documents it, checked before an order is recorded
// so that a mistyped card fails with INVALID_ARGUMENT instead of a cancelled order.
import type { PaymentCard } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import type { Violations } from "@shopmesh/kit";

/** True when the digits pass the Luhn check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * Adds a violation for each bad field of `card`, named under `field` ("card"). `now` decides
 * expiry: a card is valid through the last day of its expiry month, UTC.
 */
export function checkCard(v: Violations, field: string, card: PaymentCard | undefined, now: Date): void {
  if (card === undefined) {
    v.add(field, "is required");
    return;
  }
  const digits = card.number.replaceAll(" ", "");
  if (!/^[0-9 ]*$/.test(card.number) || digits.length < 13 || digits.length > 19) {
    v.add(`${field}.number`, "must be 13..19 digits (spaces allowed)");
  } else {
    v.check(luhnValid(digits), `${field}.number`, "is not a valid card number (Luhn check failed)");
  }
  const monthOk = v.check(card.expMonth >= 1 && card.expMonth <= 12, `${field}.exp_month`, "must be 1..12");
  const yearOk = v.check(card.expYear >= 1000 && card.expYear <= 9999, `${field}.exp_year`, "must be a four-digit year, e.g. 2031");
  if (monthOk && yearOk) {
    const year = now.getUTCFullYear();
    const month = now.getUTCMonth() + 1;
    if (card.expYear < year) v.add(`${field}.exp_year`, "the card has expired");
    else if (card.expYear === year && card.expMonth < month) v.add(`${field}.exp_month`, "the card has expired");
  }
  v.check(/^\d{3,4}$/.test(card.cvc), `${field}.cvc`, "must be 3 or 4 digits");
}
