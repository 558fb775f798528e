// The rate table: what shipping costs and how long it takes. A quote depends only on the
// destination's region code and the number of units, so it is the same for GetQuote and the
// CreateShipment that follows it.
import { euMemberStates } from "./region-codes.js";

/** Where a parcel goes, as far as the price is concerned. */
export type ShippingZone = "domestic" | "eu" | "international";

export interface Rate {
  /** Charged once per shipment, in US cents. */
  readonly baseCents: number;
  /** Charged per unit (each quantity counts), in US cents. */
  readonly perUnitCents: number;
  /** Transit time from shipment creation to delivery. */
  readonly estimatedDays: number;
}

/** README.md shows this table; keep the two in step. */
export const rateTable: Readonly<Record<ShippingZone, Rate>> = {
  domestic: { baseCents: 499, perUnitCents: 99, estimatedDays: 3 },
  eu: { baseCents: 1_499, perUnitCents: 199, estimatedDays: 7 },
  international: { baseCents: 2_499, perUnitCents: 299, estimatedDays: 12 },
};

export interface Quote {
  readonly zone: ShippingZone;
  /** Whole US cents, >= 0. */
  readonly costCents: number;
  readonly estimatedDays: number;
}

/** "US" is domestic, the 27 EU member states are "eu", every other region is international. */
export function shippingZone(regionCode: string): ShippingZone {
  if (regionCode === "US") return "domestic";
  if (euMemberStates.has(regionCode)) return "eu";
  return "international";
}

/** The quote for `units` units (>= 0) to `regionCode`: base + units × per-unit, in its zone. */
export function quoteShipping(regionCode: string, units: number): Quote {
  const zone = shippingZone(regionCode);
  const rate = rateTable[zone];
  return { zone, costCents: rate.baseCents + units * rate.perUnitCents, estimatedDays: rate.estimatedDays };
}
