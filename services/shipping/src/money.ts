// Costs are whole US cents inside the service and google.type.Money on the wire.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { MoneySchema } from "@shopmesh/gen/google/type/money_pb.js";

export const currencyCode = "USD";

/** Money for `cents` (a whole, non-negative number): 1234 → { "USD", units 12, nanos 340,000,000 }. */
export function usdFromCents(cents: number): MessageInitShape<typeof MoneySchema> {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`not a whole, non-negative number of cents: ${cents}`);
  return { currencyCode, units: BigInt(Math.floor(cents / 100)), nanos: (cents % 100) * 10_000_000 };
}
