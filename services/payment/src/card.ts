// What the service may know about a payment card: whether its number is plausible (Luhn), its
// brand and last four digits, and whether it has expired. The full number and the CVC go no
// further than the card processor; nothing here keeps them.

/** The contract's bounds on a card number's length, in digits (spaces removed). */
export const minCardDigits = 13;
export const maxCardDigits = 19;

/** The brands PaymentCard.card_brand names, lowercase as the contract spells them. */
export type CardBrand = "visa" | "mastercard" | "amex" | "discover" | "unknown";

/** The number with its spaces removed ("4242 4242 4242 4242" → "4242424242424242"). */
export function normalizeCardNumber(number: string): string {
  return number.replaceAll(" ", "");
}

/** Whether `digits` (digits only) passes the Luhn check; false for anything that is not digits. */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  // From the rightmost digit, double every second one and add the digits of the product.
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Why `number` (as entered, spaces allowed) is not a card number, or undefined when it is one. */
export function cardNumberProblem(number: string): string | undefined {
  const digits = normalizeCardNumber(number);
  if (digits === "") return "is required";
  // The description never repeats the number: error messages end up in logs.
  if (!/^\d+$/.test(digits)) return "must contain only digits and spaces";
  if (digits.length < minCardDigits || digits.length > maxCardDigits) {
    return `must have ${minCardDigits} to ${maxCardDigits} digits`;
  }
  if (!isLuhnValid(digits)) return "is not a valid card number (Luhn check failed)";
  return undefined;
}

/** The brand by the number's prefix (IIN ranges); "unknown" when no listed brand issues it. */
export function cardBrand(digits: string): CardBrand {
  const prefix = (length: number): number => Number(digits.slice(0, length));
  if (digits.startsWith("4")) return "visa";
  if (inRange(prefix(2), 51, 55) || inRange(prefix(4), 2221, 2720)) return "mastercard";
  if (digits.startsWith("34") || digits.startsWith("37")) return "amex";
  if (digits.startsWith("6011") || digits.startsWith("65") || inRange(prefix(3), 644, 649) || inRange(prefix(6), 622126, 622925)) {
    return "discover";
  }
  return "unknown";
}

/** The last four digits, the only part of the number the service keeps. */
export function cardLast4(digits: string): string {
  return digits.slice(-4);
}

/**
 * Whether a card expiring in `expMonth`/`expYear` has expired at `nowMs`: a card is valid through
 * the last day of its expiry month, UTC.
 */
export function isCardExpired(expMonth: number, expYear: number, nowMs: number): boolean {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  return expYear < year || (expYear === year && expMonth < now.getUTCMonth() + 1);
}

function inRange(value: number, low: number, high: number): boolean {
  return value >= low && value <= high;
}
