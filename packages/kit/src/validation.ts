// Input validation that answers INVALID_ARGUMENT with google.rpc.BadRequest field violations,
// the standard detail every gRPC client library can decode.
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, type BadRequest_FieldViolation } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";

type FieldViolation = MessageInitShape<typeof BadRequestSchema>["fieldViolations"] extends (infer V)[] | undefined ? V : never;

/**
 * Collects field violations of one request and throws them together, so a client fixes every
 * field in one round trip. Field paths use the proto field names ("address.postal_code").
 *
 *   const v = new Violations();
 *   if (req.name === "") v.add("name", "must not be empty");
 *   v.throwIfAny();
 */
export class Violations {
  private readonly list: { field: string; description: string }[] = [];

  add(field: string, description: string): this {
    this.list.push({ field, description });
    return this;
  }

  /** Adds the violation when `ok` is false; returns `ok` so checks can be chained. */
  check(ok: boolean, field: string, description: string): boolean {
    if (!ok) this.add(field, description);
    return ok;
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw this.error();
  }

  /** The INVALID_ARGUMENT error for the violations so far, to throw where control flow needs it. */
  error(): ConnectError {
    return invalidArgument(this.list);
  }
}

/** INVALID_ARGUMENT naming each field: "invalid name: must not be empty; invalid sku: …". */
export function invalidArgument(violations: readonly FieldViolation[]): ConnectError {
  const message = violations.map((v) => `invalid ${v.field ?? ""}: ${v.description ?? ""}`).join("; ");
  return new ConnectError(message, Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: [...violations] } },
  ]);
}

/** The field violations a client received with an INVALID_ARGUMENT error. */
export function fieldViolations(err: ConnectError): BadRequest_FieldViolation[] {
  return err.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations);
}
