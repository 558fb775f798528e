// The contract's rules for emails, passwords and display names, as plain functions that add
// field violations (proto field names) and return the normalized value.
import { characterCount } from "@shopmesh/domain";
import type { Violations } from "@shopmesh/kit";

export const maxEmailLength = 254;
export const minPasswordLength = 8;
export const maxPasswordLength = 128;
export const maxDisplayNameLength = 100;

/** The form an email is stored and compared in: trimmed and lowercased. */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/**
 * Why a normalized email is not acceptable, or undefined when it is. A pragmatic check, not
 * RFC 5322: one '@', a non-empty local part, a domain of non-empty dot-separated labels (at
 * least two), no whitespace or control characters, at most 254 characters.
 */
export function emailProblem(email: string): string | undefined {
  if (email === "") return "must not be empty";
  if (characterCount(email) > maxEmailLength) return `must be at most ${maxEmailLength} characters`;
  const parts = email.split("@");
  const [local, domain] = parts;
  const wellFormed =
    parts.length === 2 &&
    local !== undefined &&
    domain !== undefined &&
    local !== "" &&
    !/[\s\p{Cc}]/u.test(email) &&
    domain.split(".").length >= 2 &&
    domain.split(".").every((label) => label !== "");
  return wellFormed ? undefined : "must be an email address of the form local@domain.tld";
}

/** Register's email: adds a violation when it is not acceptable; returns the normalized form. */
export function checkEmail(v: Violations, field: string, raw: string): string {
  const email = normalizeEmail(raw);
  const problem = emailProblem(email);
  if (problem !== undefined) v.add(field, problem);
  return email;
}

/** Register's password: only its length is checked, and a description never repeats it. */
export function checkNewPassword(v: Violations, field: string, password: string): void {
  const length = characterCount(password);
  v.check(length >= minPasswordLength, field, `must be at least ${minPasswordLength} characters`);
  v.check(length <= maxPasswordLength, field, `must be at most ${maxPasswordLength} characters`);
}

/** A display name: trimmed, then 1..100 characters without control characters. */
export function checkDisplayName(v: Violations, field: string, raw: string): string {
  const name = raw.trim();
  if (name === "") v.add(field, "must not be blank");
  else if (characterCount(name) > maxDisplayNameLength) v.add(field, `must be at most ${maxDisplayNameLength} characters`);
  else if (/\p{Cc}/u.test(name)) v.add(field, "must not contain control characters");
  return name;
}

/** Login's fields only need to be present; anything else is just a wrong email or password. */
export function checkPresent(v: Violations, field: string, value: string): void {
  v.check(value !== "", field, "must not be empty");
}
