// What a failed call means to the person at the page. The shop's errors are canonical gRPC codes
// with google.rpc details (see proto/shop/common/v1/common.proto); this turns them into sentences
// and per-field messages. Codes and raw server messages are never shown as they are.
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";

export interface Problem {
  readonly code: Code;
  /** One sentence for the page. */
  readonly message: string;
  /** More about it, from the service, when that helps (e.g. why an order was cancelled). */
  readonly detail?: string;
  /** Field path (e.g. "shipping_address.postal_code") → what is wrong with it. */
  readonly fields: ReadonlyMap<string, string>;
}

export function describeProblem(err: unknown): Problem {
  const error = ConnectError.from(err);
  const fields = new Map<string, string>();
  for (const detail of error.findDetails(BadRequestSchema)) {
    for (const violation of detail.fieldViolations) {
      if (!fields.has(violation.field)) fields.set(violation.field, violation.description);
    }
  }
  const detail = error.code === Code.FailedPrecondition ? cancelReason(error) : undefined;
  return { code: error.code, message: messageFor(error, fields), fields, ...(detail === undefined ? {} : { detail }) };
}

/** A placement attempt already cancelled: its reason is the service's own words, so shown apart. */
function cancelReason(error: ConnectError): string | undefined {
  const cancelled = error
    .findDetails(PreconditionFailureSchema)
    .flatMap((d) => d.violations)
    .find((v) => v.type === "CANCELLED");
  return cancelled === undefined || cancelled.description === "" ? undefined : `Reason: ${cancelled.description}`;
}

function messageFor(error: ConnectError, fields: ReadonlyMap<string, string>): string {
  switch (error.code) {
    case Code.InvalidArgument:
      return fields.size > 0
        ? "Please check the highlighted fields."
        : "The shop could not accept that request. Please check what you entered.";
    case Code.FailedPrecondition:
      return preconditionMessage(error);
    case Code.Unauthenticated:
      return "Your session expired, please log in again.";
    case Code.NotFound:
      return "We could not find that. It may have been removed.";
    case Code.AlreadyExists:
      return "That already exists.";
    case Code.Unavailable:
      return "Part of the shop is not answering right now. Please try again in a moment.";
    case Code.DeadlineExceeded:
      return "The shop took too long to answer. Please try again.";
    case Code.ResourceExhausted:
      return "The shop is busy right now. Please wait a moment and try again.";
    case Code.Canceled:
      return "The request was cancelled.";
    case Code.Unknown:
      return "Could not reach the shop. Check your connection and try again.";
    default:
      return "Something went wrong on our side. Please try again.";
  }
}

/** FAILED_PRECONDITION: the details say which state stood in the way. */
function preconditionMessage(error: ConnectError): string {
  const violations = error.findDetails(PreconditionFailureSchema).flatMap((d) => d.violations);
  const sentences = violations.map((v) => {
    switch (v.type) {
      case "PAYMENT":
        return `Your card was declined: ${v.description}. Nothing was charged and your cart is unchanged.`;
      case "STOCK":
        return `Not enough stock of ${v.subject.replace(/^sku\//, "")}: ${v.description}.`;
      case "CART":
        return "Your cart is empty.";
      case "CANCELLED":
        return "Your order could not be completed, so it was cancelled. Any charge was refunded and your cart is unchanged. Please try again in a moment.";
      case "QUANTITY":
        return "You can have at most 99 of one product in your cart.";
      case "CART_FULL":
        return "Your cart is full: it holds at most 50 different products.";
      default:
        return v.description === "" ? "" : `${capitalize(v.description)}.`;
    }
  });
  const unique = [...new Set(sentences.filter((s) => s !== ""))];
  return unique.length > 0 ? unique.join(" ") : "The shop cannot do that right now.";
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The message for the first of `paths` that has one (e.g. a list field and its first item). */
export function fieldMessage(problem: Problem | undefined, ...paths: string[]): string | undefined {
  if (problem === undefined) return undefined;
  for (const path of paths) {
    const message = problem.fields.get(path);
    if (message !== undefined) return message;
  }
  return undefined;
}

/** Field violations no form field shows, as "field: message", so none is lost. */
export function otherFieldMessages(problem: Problem | undefined, shown: readonly string[]): string[] {
  if (problem === undefined) return [];
  const known = new Set(shown);
  return [...problem.fields].filter(([path]) => !known.has(path)).map(([path, message]) => `${path.replaceAll("_", " ")}: ${message}`);
}

/** "Postal code must be five digits" from the label and the server's "must be five digits". */
export function fieldSentence(label: string, description: string): string {
  if (/^(must|is|has|should|cannot|can't|needs?)\b/.test(description)) return `${label} ${description}.`.replace(/\.\.$/, ".");
  return `${description.charAt(0).toUpperCase()}${description.slice(1)}.`.replace(/\.\.$/, ".");
}
