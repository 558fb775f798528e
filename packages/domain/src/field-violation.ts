/** One broken constraint of a request: the proto field path and what a good value looks like. */
export interface FieldViolation {
  /** Proto field path, e.g. "shipping_address.street_lines[0]" or "product.price.nanos". */
  readonly field: string;
  readonly description: string;
}
