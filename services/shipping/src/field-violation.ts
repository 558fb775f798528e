/** One broken constraint of a request: the proto field path and what a good value looks like. */
export interface FieldViolation {
  /** Proto field path, e.g. "address.street_lines[0]" or "items[2].quantity". */
  readonly field: string;
  readonly description: string;
}

/** Length in Unicode code points, as the contracts count "characters". */
export function characterCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
