// Tracking ids are what a customer reads out or types in: short, upper case, letters and digits.
import { randomInt } from "node:crypto";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const randomLength = 10;

/** "SM" and 10 random characters of A-Z and 0-9, e.g. "SM4K7Q2Z9XA1" (36^10 ≈ 3.7e15 ids). */
export function newTrackingId(randomIndex: (size: number) => number = randomInt): string {
  let id = "SM";
  for (let i = 0; i < randomLength; i++) id += alphabet[randomIndex(alphabet.length)];
  return id;
}

export const trackingIdPattern = /^SM[A-Z0-9]{10}$/;
