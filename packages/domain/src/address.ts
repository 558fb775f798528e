// The rules of shop.common.v1.Address, as a pure function: every service that accepts an address
// (order before it records an order, shipping before it quotes or ships) applies these, with one
// message per violation, so a client sees the same answer whichever service judged the address.
import type { FieldViolation } from "./field-violation.js";
import { characterCount } from "./text.js";
import { isAssignedRegionCode } from "./region-codes.js";

/** An address as the contract defines it; a shop.common.v1.Address message is one. */
export interface AddressFields {
  readonly recipientName: string;
  readonly streetLines: readonly string[];
  readonly city: string;
  readonly postalCode: string;
  readonly regionCode: string;
}

export const maxNameLength = 100;
export const maxStreetLines = 3;
export const maxStreetLineLength = 100;
export const maxCityLength = 100;
export const maxPostalCodeLength = 20;

const usPostalCode = /^[0-9]{5}(-[0-9]{4})?$/;
const postalCodeCharacters = /^[A-Za-z0-9 -]*$/;
const twoUppercaseLetters = /^[A-Z]{2}$/;

/**
 * What is wrong with `address`, at most one violation per field (each street line is a field),
 * in field order; empty when the address is valid. `field` is the address's own path in the
 * request ("address", "shipping_address"); violations name paths below it.
 *
 * - recipient_name: required; 1..100 characters; not blank (not only whitespace).
 * - street_lines: 1..3 lines; each 1..100 characters and not blank ("…street_lines[i]").
 * - city: required; 1..100 characters; not blank.
 * - postal_code: when region_code is "US", required, five digits or ZIP+4 ("94103",
 *   "94103-1234"); otherwise optional, at most 20 characters of A-Z, a-z, 0-9, space and '-'.
 * - region_code: required; two uppercase letters; an officially assigned ISO 3166-1 alpha-2
 *   code (region-codes.ts).
 *
 * Characters are Unicode code points; nothing is trimmed.
 */
export function addressViolations(address: AddressFields | undefined, field = "address"): FieldViolation[] {
  if (address === undefined) return [{ field, description: "is required" }];
  const violations: FieldViolation[] = [];
  const add = (path: string, description: string | undefined): void => {
    if (description !== undefined) violations.push({ field: `${field}.${path}`, description });
  };
  add("recipient_name", textProblem(address.recipientName, maxNameLength));
  if (address.streetLines.length === 0) {
    add("street_lines", `is required (1..${maxStreetLines} lines)`);
  } else if (address.streetLines.length > maxStreetLines) {
    add("street_lines", `must have at most ${maxStreetLines} lines (got ${address.streetLines.length})`);
  }
  for (const [i, line] of address.streetLines.entries()) add(`street_lines[${i}]`, textProblem(line, maxStreetLineLength));
  add("city", textProblem(address.city, maxCityLength));
  add("postal_code", postalCodeProblem(address.postalCode, address.regionCode));
  add("region_code", regionCodeProblem(address.regionCode));
  return violations;
}

/** A required free-text field: 1..max characters, not only whitespace. */
function textProblem(value: string, max: number): string | undefined {
  if (value === "") return "is required";
  if (characterCount(value) > max) return `must be at most ${max} characters`;
  if (value.trim() === "") return "must not be blank";
  return undefined;
}

function postalCodeProblem(postalCode: string, regionCode: string): string | undefined {
  if (regionCode === "US") {
    if (postalCode === "") return 'is required when region_code is "US"';
    if (!usPostalCode.test(postalCode)) return 'must be a US ZIP code: five digits or ZIP+4 ("94103", "94103-1234")';
    return undefined;
  }
  if (characterCount(postalCode) > maxPostalCodeLength) return `must be at most ${maxPostalCodeLength} characters`;
  if (!postalCodeCharacters.test(postalCode)) return "may contain only A-Z, a-z, 0-9, space and '-'";
  return undefined;
}

function regionCodeProblem(regionCode: string): string | undefined {
  if (regionCode === "") return 'is required (an ISO 3166-1 alpha-2 code, e.g. "US")';
  if (!twoUppercaseLetters.test(regionCode)) return 'must be two uppercase letters (an ISO 3166-1 alpha-2 code, e.g. "US")';
  if (!isAssignedRegionCode(regionCode)) return `"${regionCode}" is not an assigned ISO 3166-1 alpha-2 code`;
  return undefined;
}

/** True when two addresses are the same, field for field and line for line (nothing normalized). */
export function sameAddress(a: AddressFields, b: AddressFields): boolean {
  return (
    a.recipientName === b.recipientName &&
    a.city === b.city &&
    a.postalCode === b.postalCode &&
    a.regionCode === b.regionCode &&
    a.streetLines.length === b.streetLines.length &&
    a.streetLines.every((line, i) => line === b.streetLines[i])
  );
}

/** An address as plain data: what a store document or a message init takes. */
export interface AddressCopy {
  recipientName: string;
  streetLines: string[];
  city: string;
  postalCode: string;
  regionCode: string;
}

/** A field-for-field copy of `address` with its own street lines: no message type, nothing shared. */
export function copyAddress(address: AddressFields): AddressCopy {
  return {
    recipientName: address.recipientName,
    streetLines: [...address.streetLines],
    city: address.city,
    postalCode: address.postalCode,
    regionCode: address.regionCode,
  };
}
