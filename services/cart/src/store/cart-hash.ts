// How a cart is kept in Redis, and the mapping between that hash and CartContents.
//
// One hash per user, key "cart:<user id>":
//   line:<product id>  JSON {"seq","quantity","sku","name","currency","unit_minor"} (minor units as a
//                      decimal string, so no precision is lost on either side of Lua)
//   seq                counter giving each new line its place (lines are shown in first-added order)
//   updated_ms         epoch milliseconds of the last change
// The Lua scripts (cart-scripts.ts) read and write this layout; they are the only writers.
import type { CartContents, CartLine } from "../cart.js";

export const lineFieldPrefix = "line:";

export function cartKey(userId: string): string {
  return `cart:${userId}`;
}

/** The stored form of one line, as the scripts write it. */
interface StoredLine {
  readonly seq: number;
  readonly quantity: number;
  readonly sku: string;
  readonly name: string;
  readonly currency: string;
  readonly unit_minor: string;
}

export function cartFromHash(hash: Readonly<Record<string, string>>): CartContents {
  const lines: { seq: number; line: CartLine }[] = [];
  for (const [field, value] of Object.entries(hash)) {
    if (!field.startsWith(lineFieldPrefix)) continue;
    const productId = field.slice(lineFieldPrefix.length);
    const stored = parseStoredLine(productId, value);
    lines.push({
      seq: stored.seq,
      line: {
        productId,
        sku: stored.sku,
        name: stored.name,
        quantity: stored.quantity,
        unitPrice: { currencyCode: stored.currency, minor: BigInt(stored.unit_minor) },
      },
    });
  }
  lines.sort((a, b) => a.seq - b.seq);
  const updated = hash["updated_ms"];
  return { lines: lines.map((l) => l.line), updateTimeMs: updated === undefined ? undefined : Number(updated) };
}

/** A HGETALL reply as a Lua script returns it (a flat [field, value, …] array) as a record. */
export function hashFromFlatReply(reply: unknown): Record<string, string> {
  if (!Array.isArray(reply) || reply.length % 2 !== 0) throw new Error("cart store: unexpected hash reply from script");
  const hash: Record<string, string> = {};
  for (let i = 0; i < reply.length; i += 2) {
    const field: unknown = reply[i];
    const value: unknown = reply[i + 1];
    if (typeof field !== "string" || typeof value !== "string") throw new Error("cart store: unexpected hash reply from script");
    hash[field] = value;
  }
  return hash;
}

function parseStoredLine(productId: string, value: string): StoredLine {
  const parsed: unknown = JSON.parse(value);
  if (
    typeof parsed === "object" &&
    parsed !== null &&
    isWholeNumber((parsed as StoredLine).seq) &&
    isWholeNumber((parsed as StoredLine).quantity) &&
    typeof (parsed as StoredLine).sku === "string" &&
    typeof (parsed as StoredLine).name === "string" &&
    typeof (parsed as StoredLine).currency === "string" &&
    typeof (parsed as StoredLine).unit_minor === "string" &&
    /^\d+$/.test((parsed as StoredLine).unit_minor)
  ) {
    return parsed as StoredLine;
  }
  throw new Error(`cart store: malformed line for product ${productId}`);
}

function isWholeNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}
