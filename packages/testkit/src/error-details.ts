// What a rejected call's details say, as plain objects a test can compare with toEqual.
import type { ConnectError } from "@connectrpc/connect";
import { PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";

/** The google.rpc.PreconditionFailure violations of `err`, in order. */
export function preconditionViolations(err: ConnectError): { type: string; subject: string; description: string }[] {
  return err
    .findDetails(PreconditionFailureSchema)
    .flatMap((d) => d.violations)
    .map(({ type, subject, description }) => ({ type, subject, description }));
}
